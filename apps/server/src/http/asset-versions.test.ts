import { describe, expect, it } from 'vitest';
import { assetVersion, contentDigest, pinAssetVersions } from './asset-versions.js';

const PAGE = `<!doctype html><html><head>
<script type="importmap">
  { "imports": {} }
</script>
<link rel="stylesheet" href="/style.css" />
<script src="/vendor/vega.min.js"></script>
<link rel="modulepreload" href="/dom.js" />
<script type="module" src="/app.js"></script>
</head><body><a href="/docs">API</a><a href="https://example.org/app.js">x</a></body></html>`;

describe('pinAssetVersions', () => {
  const versions = new Map([
    ['/style.css', 'css1'],
    ['/vendor/vega.min.js', 'vega1'],
    ['/dom.js', 'dom1'],
    ['/app.js', 'app1'],
  ]);

  it('names every file of the page at its version, and nothing else', () => {
    const html = pinAssetVersions(PAGE, versions);
    expect(html).toContain('href="/style.css?v=css1"');
    expect(html).toContain('src="/vendor/vega.min.js?v=vega1"');
    expect(html).toContain('href="/dom.js?v=dom1"');
    expect(html).toContain('src="/app.js?v=app1"');
    expect(html).toContain('href="/docs"');
    expect(html).toContain('href="https://example.org/app.js"');
  });

  it("maps the page's modules, and only them, to the same URLs", () => {
    const html = pinAssetVersions(PAGE, versions);
    const map = JSON.parse(/<script type="importmap">(.*?)<\/script>/.exec(html)![1]!) as unknown;
    expect(map).toEqual({ imports: { '/dom.js': '/dom.js?v=dom1', '/app.js': '/app.js?v=app1' } });
  });

  it('refuses a page without the import map to fill in', () => {
    expect(() => pinAssetVersions(PAGE.replace('importmap', 'module'), versions)).toThrow(
      expect.objectContaining({ code: 'ASSET_MISSING' }),
    );
  });

  it('versions a file by its content', () => {
    const version = (text: string) => assetVersion(contentDigest(Buffer.from(text)));
    expect(version('a')).toBe(version('a'));
    expect(version('a')).not.toBe(version('b'));
    expect(version('a')).toMatch(/^[\w-]{16}$/);
  });
});
