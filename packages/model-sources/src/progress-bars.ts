/**
 * Progress for `npm run models`: one cli-progress bar per file on a terminal; one line per
 * finished file elsewhere (CI logs, the launcher's prefixed output).
 */
import cliProgress from 'cli-progress';
import type { ProgressSink } from './install-sources';

const mb = (n: number) => (n / 1_048_576).toFixed(n < 1_048_576 ? 2 : 1);

export function terminalProgress(
  stream: NodeJS.WriteStream = process.stderr,
): ProgressSink & { stop(): void } {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: ' {label} |{bar}| {percentage}% · {got}/{size} MB · {status}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    file(label, initialStatus = 'downloading') {
      const bar = multi.create(1, 0, {
        label: label.padEnd(28),
        got: '0.00',
        size: '?',
        status: initialStatus,
      });
      return {
        update(received, total) {
          bar.setTotal(total ?? Math.max(received, 1));
          bar.update(received, { got: mb(received), size: total ? mb(total) : '?' });
        },
        done(status) {
          bar.update(bar.getTotal(), {
            status,
            ...(initialStatus === 'downloading' ? {} : { got: '-', size: '-' }),
          });
        },
      };
    },
    stop: () => multi.stop(),
  };
}

export function lineProgress(log: (line: string) => void): ProgressSink {
  return {
    file(label) {
      let last = 0;
      return {
        update(received) {
          last = received;
        },
        done(status) {
          log(`${label}: ${last ? `${mb(last)} MB, ` : ''}${status}`);
        },
      };
    },
  };
}
