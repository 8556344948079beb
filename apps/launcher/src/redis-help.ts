/** What to tell someone whose Redis does not answer, with the commands that fix it. */
export function redisHelp(url: string, explicit: boolean): string {
  return [
    `No Redis answered at ${url}${explicit ? ' (REDIS_URL)' : ''}, and ${
      explicit
        ? 'npm start never replaces an explicit REDIS_URL'
        : 'no redis-server is installed to start one'
    }.`,
    '',
    'Argus keeps its queues, uploads and results in Redis 7+. Get one, then run `npm start` again:',
    '  - Debian/Ubuntu:  sudo apt-get install -y redis-server   (npm start then runs it for you)',
    '  - macOS:          brew install redis                     (npm start then runs it for you)',
    '  - Docker:         docker run -d --name argus-redis -p 6379:6379 redis:7',
    '  - elsewhere:      set REDIS_URL=redis://host:port/db to point Argus at it',
  ].join('\n');
}
