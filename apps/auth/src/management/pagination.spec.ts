import { decodeCursor, encodeCursor, isAfterId, pageById, pageLimit, pageOf } from './pagination';

const rows = ['cli_03', 'cli_01', 'cli_02', 'cli_05', 'cli_04'].map((id) => ({ id }));
const ids = (p: { items: { id: string }[] }) => p.items.map((r) => r.id);

describe('management pagination', () => {
  it('walks an id-ordered list page by page, each row once', () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = pageById(rows, { limit: '2', cursor }, (r) => r);
      seen.push(...ids(page));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(['cli_01', 'cli_02', 'cli_03', 'cli_04', 'cli_05']);
  });

  it('pageOf: limit + 1 rows say there is more, limit rows that there is not', () => {
    expect(pageOf(rows.slice(0, 3), 2, (r) => r).next_cursor).not.toBeNull();
    expect(pageOf(rows.slice(0, 2), 2, (r) => r).next_cursor).toBeNull();
  });

  it('refuses bad limits and cursors as invalid_request', () => {
    for (const bad of ['0', '201', '-1', '1.5', 'x', ['1', '2']]) {
      expect(() => pageLimit(bad)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
    }
    expect(pageLimit(undefined)).toBe(50);
    for (const bad of [
      '%%%',
      encodeCursor({ nope: 1 }),
      encodeCursor({ after: 'x'.repeat(200) }),
      'a'.repeat(600),
      42,
    ]) {
      expect(() => decodeCursor(bad, isAfterId)).toThrow(
        expect.objectContaining({ code: 'invalid_request' }),
      );
    }
    expect(decodeCursor(encodeCursor({ after: 'cli_01' }), isAfterId)).toEqual({ after: 'cli_01' });
  });
});
