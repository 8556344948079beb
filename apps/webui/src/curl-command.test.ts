import { execFileSync } from 'node:child_process';
import { pollCommand, shellQuote, submitCommand } from './curl-command';

/** The words a POSIX shell makes of a command line (curl's own argv). */
function shellWords(command: string): string[] {
  const out = execFileSync('sh', ['-c', `set -- ${command.replace(/^curl /, '')}; printf '%s\\0' "$@"`]);
  return out.toString().split('\0').slice(0, -1);
}

describe('curl commands', () => {
  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote('task=detect')).toBe('task=detect');
    expect(shellQuote('image=@my photo.jpg')).toBe("'image=@my photo.jpg'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('reproduces a submission', () => {
    expect(
      submitCommand(
        'http://localhost:3000',
        [
          ['task', 'detect'],
          ['confidence', '0.25'],
        ],
        'bus.jpg',
      ),
    ).toBe('curl -F task=detect -F confidence=0.25 -F image=@bus.jpg http://localhost:3000/v1/jobs');
    expect(pollCommand('http://localhost:3000', 'abc')).toBe('curl http://localhost:3000/v1/jobs/abc');
  });

  it('survives the shell with awkward file names', () => {
    const name = `Tom's "best" shot; 2024, $HOME \`x\`.jpg`;
    const words = shellWords(submitCommand('http://h:1', [['task', 'parse']], name));
    expect(words).toEqual([
      '-F',
      'task=parse',
      '-F',
      // curl reads a double-quoted name literally, with \\ and \" unescaped
      `image=@"Tom's \\"best\\" shot; 2024, $HOME \`x\`.jpg"`,
      'http://h:1/v1/jobs',
    ]);
  });
});
