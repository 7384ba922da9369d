import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.js';
import { CHUNK_BYTES, DatabaseMediaStore } from '../../src/storage/database-media-store.js';
import { FilesystemMediaStore } from '../../src/storage/filesystem-media-store.js';
import { MediaTooLargeError, type MediaStore } from '../../src/storage/media-store.js';
import { describeEachDialect, scratchDatabase } from '../support/dialects.js';

const MiB = 1024 * 1024;

/** A turn of the event loop, as a network read waits for its next piece. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** `bytes` in pieces of odd sizes, as a network read gives them. */
async function* inPieces(bytes: Buffer, sizes = [65_537, 1, 300_001, 7, 131_071, 262_145]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i += 1) {
    const size = sizes[i % sizes.length]!;
    await tick();
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** Every file under `dir`, at any depth. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The media stores (DESIGN.md §6): both adapters, on both dialects, byte for byte. */
describeEachDialect('media stores', (dialect) => {
  const scratch = scratchDatabase(dialect, 'caseline-media-');
  let db: Db;
  const clock = 1_000_000;
  const now = () => clock;

  beforeAll(() => {
    db = scratch.db;
  });

  async function newOrg(): Promise<string> {
    const id = randomUUID();
    await db.transaction((tx) => db.createOrganisation(tx, { id, name: `Org ${id.slice(0, 6)}`, createdAt: clock }));
    return id;
  }

  const blobsOf = (orgId: string) => db.kysely.selectFrom('media_blobs').selectAll().where('org_id', '=', orgId).execute();
  const chunkCount = async (blobId?: string) => {
    let query = db.kysely.selectFrom('media_chunks').select((eb) => eb.fn.countAll<number>().as('n'));
    if (blobId) query = query.where('blob_id', '=', blobId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  };

  async function addMediaRow(orgId: string, blobId: string): Promise<void> {
    await db.kysely
      .insertInto('media')
      .values({
        id: randomUUID(),
        org_id: orgId,
        position: 0,
        direction: 'out',
        status: 'stored',
        blob_id: blobId,
        created_at: clock,
        updated_at: clock,
      })
      .execute();
  }

  const adapters: Array<{ name: string; open(): { store: MediaStore; root: string | null } }> = [
    { name: 'database', open: () => ({ store: new DatabaseMediaStore(db, now), root: null }) },
    {
      name: 'filesystem',
      open: () => {
        const root = join(scratch.dir, `files-${randomUUID().slice(0, 8)}`);
        mkdirSync(root);
        return { store: new FilesystemMediaStore(db, root, now), root };
      },
    },
  ];

  for (const adapter of adapters) {
    describe(`the ${adapter.name} store`, () => {
      let store: MediaStore;
      let root: string | null;
      beforeAll(() => {
        ({ store, root } = adapter.open());
      });

      it('gives back 3 MiB fed in odd-sized pieces byte for byte, with its sha256, size and first bytes', async () => {
        const orgId = await newOrg();
        const bytes = randomBytes(3 * MiB);
        const stored = await store.put(orgId, inPieces(bytes), 16 * MiB);
        expect(stored.size).toBe(bytes.length);
        expect(stored.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
        expect(stored.head.equals(bytes.subarray(0, 4100))).toBe(true);
        const back = await readAll(await store.open(stored.blobId));
        expect(back.length).toBe(bytes.length);
        expect(back.equals(bytes)).toBe(true);
        const [row] = await blobsOf(orgId);
        expect(row).toMatchObject({ id: stored.blobId, sha256: stored.sha256, store: adapter.name });
        expect(Number(row!.size)).toBe(bytes.length);
        if (adapter.name === 'database') expect(await chunkCount(stored.blobId)).toBe(12);
        else expect(filesUnder(root!).length).toBeGreaterThanOrEqual(1);
      });

      it('reads byte ranges: the first byte, across a chunk edge, the last byte, a whole middle', async () => {
        const orgId = await newOrg();
        const bytes = randomBytes(CHUNK_BYTES * 2 + 1000);
        const { blobId } = await store.put(orgId, inPieces(bytes), 16 * MiB);
        const range = async (start: number, end: number) => readAll(await store.open(blobId, { start, end }));
        expect((await range(0, 0)).equals(bytes.subarray(0, 1))).toBe(true);
        const edge = await range(CHUNK_BYTES - 10, CHUNK_BYTES + 9);
        expect(edge.length).toBe(20);
        expect(edge.equals(bytes.subarray(CHUNK_BYTES - 10, CHUNK_BYTES + 10))).toBe(true);
        const last = bytes.length - 1;
        expect((await range(last, last)).equals(bytes.subarray(last))).toBe(true);
        expect((await range(100, CHUNK_BYTES * 2 + 50)).equals(bytes.subarray(100, CHUNK_BYTES * 2 + 51))).toBe(true);
        expect((await range(CHUNK_BYTES, CHUNK_BYTES * 2 - 1)).equals(bytes.subarray(CHUNK_BYTES, CHUNK_BYTES * 2))).toBe(true);
      });

      it('keeps the same bytes once per organisation, and apart for another organisation', async () => {
        const orgId = await newOrg();
        const other = await newOrg();
        const bytes = randomBytes(CHUNK_BYTES + 17);
        const first = await store.put(orgId, inPieces(bytes), 16 * MiB);
        const filesBefore = root ? filesUnder(root).length : 0;
        const again = await store.put(orgId, inPieces(bytes, [4096]), 16 * MiB);
        expect(again.blobId).toBe(first.blobId);
        expect(again.sha256).toBe(first.sha256);
        expect(await blobsOf(orgId)).toHaveLength(1);
        if (adapter.name === 'database') expect(await chunkCount(first.blobId)).toBe(2);
        else expect(filesUnder(root!).length).toBe(filesBefore);

        const elsewhere = await store.put(other, inPieces(bytes), 16 * MiB);
        expect(elsewhere.blobId).not.toBe(first.blobId);
        expect(elsewhere.sha256).toBe(first.sha256);
        expect((await readAll(await store.open(elsewhere.blobId))).equals(bytes)).toBe(true);
      });

      it('two writers of the same bytes at once end with one blob and one copy of the bytes', async () => {
        const orgId = await newOrg();
        const bytes = randomBytes(CHUNK_BYTES * 2 + 5);
        // Both sources hold their last piece until both have been read that far, so both
        // writers look for an existing blob before either has indexed its own.
        let waiting = 0;
        let release: () => void = () => {};
        const together = new Promise<void>((resolve) => (release = resolve));
        async function* heldBack(): AsyncGenerator<Uint8Array> {
          yield bytes.subarray(0, CHUNK_BYTES);
          waiting += 1;
          if (waiting === 2) release();
          await together;
          yield bytes.subarray(CHUNK_BYTES);
        }
        const filesBefore = root ? filesUnder(root).length : 0;
        const [a, b] = await Promise.all([store.put(orgId, heldBack(), 16 * MiB), store.put(orgId, heldBack(), 16 * MiB)]);
        expect(a.blobId).toBe(b.blobId);
        expect(await blobsOf(orgId)).toHaveLength(1);
        if (adapter.name === 'database') expect(await chunkCount(a.blobId)).toBe(3);
        else expect(filesUnder(root!).length).toBe(filesBefore + 1);
        expect((await readAll(await store.open(a.blobId))).equals(bytes)).toBe(true);
      });

      it('stops reading a source past the limit, keeps nothing of it, and accepts exactly the limit', async () => {
        const orgId = await newOrg();
        const chunksBefore = await chunkCount();
        const filesBefore = root ? filesUnder(root).length : 0;
        let pulled = 0;
        async function* endless(): AsyncGenerator<Uint8Array> {
          for (let i = 0; i < 1000; i += 1) {
            pulled += 1;
            await tick();
            yield randomBytes(64 * 1024);
          }
        }
        const error = await store.put(orgId, endless(), MiB).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MediaTooLargeError);
        expect((error as MediaTooLargeError).maxBytes).toBe(MiB);
        // 16 pieces fill the limit; the 17th passes it and nothing more is asked for.
        expect(pulled).toBe(17);
        expect(await blobsOf(orgId)).toEqual([]);
        expect(await chunkCount()).toBe(chunksBefore);
        if (root) expect(filesUnder(root).length).toBe(filesBefore);

        const exact = randomBytes(MiB);
        const stored = await store.put(orgId, inPieces(exact), MiB);
        expect(stored.size).toBe(MiB);
      });

      it('keeps nothing of a source whose reading fails part way', async () => {
        const orgId = await newOrg();
        const chunksBefore = await chunkCount();
        const filesBefore = root ? filesUnder(root).length : 0;
        async function* failing(): AsyncGenerator<Uint8Array> {
          await tick();
          yield randomBytes(CHUNK_BYTES + 1);
          throw new Error('connection reset');
        }
        await expect(store.put(orgId, failing(), 16 * MiB)).rejects.toThrow('connection reset');
        expect(await blobsOf(orgId)).toEqual([]);
        expect(await chunkCount()).toBe(chunksBefore);
        if (root) expect(filesUnder(root).length).toBe(filesBefore);
      });

      it('sweeps away a blob a crash left half-written, but not one still being written', async () => {
        const orgId = await newOrg();
        const halfWritten = randomUUID();
        const recent = randomUUID();
        for (const [id, at] of [
          [halfWritten, clock - 60_000],
          [recent, clock],
        ] as const) {
          await db.kysely
            .insertInto('media_blobs')
            .values({ id, org_id: orgId, sha256: `incomplete:${id}`, size: 0, store: adapter.name, created_at: at })
            .execute();
          if (root) {
            mkdirSync(join(root, 'tmp'), { recursive: true });
            writeFileSync(join(root, 'tmp', id), randomBytes(1000));
          } else {
            await db.kysely
              .insertInto('media_chunks')
              .values([
                { blob_id: id, seq: 0, bytes: randomBytes(CHUNK_BYTES) },
                { blob_id: id, seq: 1, bytes: randomBytes(10) },
              ])
              .execute();
          }
        }
        await store.sweepIncomplete(clock - 1000);
        expect((await blobsOf(orgId)).map((b) => b.id)).toEqual([recent]);
        if (root) {
          const names = readdirSync(join(root, 'tmp'));
          expect(names).toContain(recent);
          expect(names).not.toContain(halfWritten);
        } else {
          expect(await chunkCount(halfWritten)).toBe(0);
          expect(await chunkCount(recent)).toBe(2);
        }
      });

      it('removes a blob no media row uses, and keeps one a media row uses', async () => {
        const orgId = await newOrg();
        const used = await store.put(orgId, inPieces(randomBytes(1000)), MiB);
        const unused = await store.put(orgId, inPieces(randomBytes(CHUNK_BYTES + 1)), MiB);
        await addMediaRow(orgId, used.blobId);
        await store.removeIfUnused(used.blobId);
        await store.removeIfUnused(unused.blobId);
        expect((await blobsOf(orgId)).map((b) => b.id)).toEqual([used.blobId]);
        expect((await readAll(await store.open(used.blobId))).length).toBe(1000);
        if (adapter.name === 'database') expect(await chunkCount(unused.blobId)).toBe(0);
        else await expect(store.open(unused.blobId)).rejects.toThrow();
      });
    });
  }
});
