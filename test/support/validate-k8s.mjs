/**
 * Validates Kubernetes objects against their OpenAPI schemas with kubernetes-models (and
 * @kubernetes-models/keda for KEDA's CRDs), offline. Those packages are ES modules only, so
 * jest (CommonJS) runs this script as a child process: a JSON array of objects on stdin,
 * a JSON array of `{ apiVersion, kind, name, error }` on stdout (`error` null when valid).
 * An object whose kind has no schema is an error too: nothing goes unchecked.
 */
const PACKAGES = ['kubernetes-models', '@kubernetes-models/keda'];

async function modelFor(apiVersion, kind) {
  for (const pkg of PACKAGES) {
    try {
      const mod = await import(`${pkg}/${apiVersion}/${kind}`);
      if (mod[kind]) return mod[kind];
    } catch {
      // not in this package
    }
  }
  return undefined;
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const objects = JSON.parse(input);
  const results = [];
  for (const obj of objects) {
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name ?? '';
    const Model = await modelFor(apiVersion, kind);
    let error = null;
    if (!Model) {
      error = `no schema for ${apiVersion} ${kind}`;
    } else {
      try {
        new Model(obj).validate();
      } catch (err) {
        error = err.message;
      }
    }
    results.push({ apiVersion, kind, name, error });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
