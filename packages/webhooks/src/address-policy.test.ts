import { CallbackUrlError, checkCallbackUrl, isAllowedAddress, isBlockedAddress } from './address-policy';

const closed = { allowPrivate: false, allowedHosts: [] };

describe('callback address policy', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    // Security review, finding 8: IPv6 forms that embed or reach internal addresses.
    '::7f00:1',
    '::ffff:0:7f00:1',
    '64:ff9b::a00:1',
    '64:ff9b:1::1',
    '2002::1',
    '2002:7f00:1::1',
    '2001::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'fec0::1',
    '100::1',
    '2001:db8::1',
    '::ffff:169.254.169.254',
    'fd00::1',
  ])('blocks %s', (address) => {
    expect(isBlockedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::6810:85e5', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isBlockedAddress(address)).toBe(false);
    },
  );

  it('lets WEBHOOK_ALLOWED_HOSTS and WEBHOOK_ALLOW_PRIVATE through', () => {
    expect(isAllowedAddress('127.0.0.1', 'localhost', closed)).toBe(false);
    expect(
      isAllowedAddress('127.0.0.1', 'localhost', { allowPrivate: false, allowedHosts: ['LocalHost'] }),
    ).toBe(true);
    expect(isAllowedAddress('10.0.0.5', 'hooks.internal', { allowPrivate: true, allowedHosts: [] })).toBe(
      true,
    );
  });

  it('refuses non-http schemes, credentials, garbage and private hosts at submit time', async () => {
    await expect(checkCallbackUrl('ftp://example.com/x', closed)).rejects.toThrow(/http or https/);
    await expect(checkCallbackUrl('http://user:pw@example.com/', closed)).rejects.toThrow(/credentials/);
    await expect(checkCallbackUrl('not a url', closed)).rejects.toBeInstanceOf(CallbackUrlError);
    await expect(checkCallbackUrl('http://127.0.0.1:9/hook', closed)).rejects.toThrow(/127\.0\.0\.1/);
    await expect(checkCallbackUrl('http://localhost:9/hook', closed)).rejects.toThrow(
      /WEBHOOK_ALLOWED_HOSTS/,
    );
    await expect(checkCallbackUrl('http://[::1]:9/hook', closed)).rejects.toThrow(/::1/);
    for (const url of [
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0.0.1/',
      'http://0x7f000001/',
      'http://127.1/',
      'http://0.0.0.0/',
      'http://[::]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[::7f00:1]/',
      'http://[::ffff:0:7f00:1]/',
      'http://[64:ff9b:1::a9fe:a9fe]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[2001::1]/',
      'http://[fec0::1]/',
      'http://[100::1]/',
    ])
      await expect(checkCallbackUrl(url, closed)).rejects.toThrow(CallbackUrlError);
    await expect(checkCallbackUrl('http://[fe80::1%25eth0]/', closed)).rejects.toThrow(CallbackUrlError);
    await expect(checkCallbackUrl('gopher://example.com/', closed)).rejects.toThrow(/http or https/);
    await expect(checkCallbackUrl('http://169.254.169.254/latest/meta-data', closed)).rejects.toThrow(
      CallbackUrlError,
    );
  });

  it('accepts a public literal address and an allowed private host', async () => {
    await expect(checkCallbackUrl('https://93.184.216.34/hook', closed)).resolves.toBeInstanceOf(URL);
    await expect(
      checkCallbackUrl('http://localhost:9/hook', { allowPrivate: false, allowedHosts: ['localhost'] }),
    ).resolves.toBeInstanceOf(URL);
  });
});
