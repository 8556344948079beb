/**
 * The `curl` commands that reproduce a page's request through the API: the page is a
 * living example of it, so every job shows how to send the same thing from a shell.
 */

/** A POSIX-shell word: left bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * curl's `-F name=@file` reads `;` and `,` after the file name as its own parameters
 * (`;type=…`); a double-quoted name keeps them part of the name.
 */
function curlFileName(name: string): string {
  return /[;,"\\]/.test(name) ? `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"` : name;
}

/** Shown instead of the key itself, so a copied command never carries a secret. */
const KEY_HEADER = '-H "Authorization: Bearer $ARGUS_API_KEY"';

export function submitCommand(
  origin: string,
  fields: [string, string][],
  fileName: string,
  withKey = false,
): string {
  const words = withKey ? ['curl', KEY_HEADER] : ['curl'];
  for (const [name, value] of fields) words.push('-F', shellQuote(`${name}=${value}`));
  words.push('-F', shellQuote(`image=@${curlFileName(fileName)}`), shellQuote(`${origin}/v1/jobs`));
  return words.join(' ');
}

export function pollCommand(origin: string, jobId: string, withKey = false): string {
  return `curl ${withKey ? `${KEY_HEADER} ` : ''}${shellQuote(`${origin}/v1/jobs/${jobId}`)}`;
}
