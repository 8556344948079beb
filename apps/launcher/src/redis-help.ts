/** What to tell someone whose Redis does not answer, with the commands that fix it. */
export function redisHelp(url: string): string {
  return [
    `No Redis answered at ${url}.`,
    '',
    'Argus keeps its queues, uploads and results in Redis 7+. Start one, then run `npm start` again:',
    '  - Debian/Ubuntu:  sudo apt-get install redis-server && redis-server --daemonize yes',
    '  - macOS:          brew install redis && brew services start redis',
    '  - Docker:         docker run -d --name argus-redis -p 6379:6379 redis:7',
    '  - elsewhere:      set REDIS_URL=redis://host:port/db to point Argus at it',
  ].join('\n');
}
