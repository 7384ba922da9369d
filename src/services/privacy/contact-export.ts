import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import type { ContactExportQuery } from '../../contract/index.js';
import {
  casesOfPerson,
  caseNumbersOfPersonMessages,
  labelsOfPerson,
  mediaOfPersonMessages,
  messagesOfPerson,
  notesOfPerson,
  optOutsOfPerson,
  type PersonScope,
} from '../../db/queries/contact-export.js';
import { sanitiseFileName } from '../../domain/file-names.js';
import { byLabelName } from '../../domain/labels.js';
import type { AccessLogService, ExportedCase as LoggedCase } from '../access-log.js';
import { iso, type Actor, type ServiceContext } from '../context.js';
import { groupBy } from '../group-by.js';
import { newId } from '../ids.js';
import { personScope } from './person-scope.js';
import type { PrivacyAudit } from './privacy-audit.js';

/** `contact.json`: everything the organisation holds about the person, in the scope asked for. */
export interface ContactDocument {
  contact: string;
  exportedAt: string;
  /** The survey the export was limited to; null for the whole organisation. */
  surveyId: string | null;
  cases: ExportedCase[];
  messages: ExportedMessage[];
  optOuts: Array<{ ourNumber: string; channel: string; at: string }>;
}

interface ExportedCase {
  caseNumber: number;
  surveyId: string;
  surveyName: string;
  status: string;
  answers: Record<string, unknown>;
  createdAt: string;
  closedAt: string | null;
  notes: Array<{ text: string; authorName: string | null; at: string }>;
  labels: Array<{ id: string; name: string; color: string }>;
}

interface ExportedMessage {
  id: string;
  direction: 'in' | 'out';
  at: string;
  text: string;
  status: string;
  error: { code: string | null; message: string } | null;
  automatic: boolean;
  authorName: string | null;
  ourNumber: string;
  channel: string;
  caseNumbers: number[];
  media: ExportedMedia[];
}

interface ExportedMedia {
  id: string;
  name: string | null;
  contentType: string | null;
  size: number | null;
  status: string;
  /** Where the bytes are in the ZIP; null for an item whose bytes are not held (pending, failed). */
  file: string | null;
}

/** A stored media item's bytes, to copy into the ZIP. */
interface MediaFile {
  path: string;
  blobId: string;
  size: number;
}

export interface ContactExportFile {
  fileName: string;
  /** The ZIP, written as it is read: media bytes come from the store a chunk at a time. */
  stream: Readable;
}

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));
const at = (value: number | string): string => iso(Number(value))!;

/**
 * Access requests (DESIGN.md §9): `GET /contacts/export` hands an admin a ZIP of
 * `contact.json` and `media/<id>-<name>` for each stored item. The document is read first
 * and the read recorded (access log, privacy audit) before a byte is sent; the media follow
 * from the store as the client reads, so a large history never sits in memory.
 */
export function createContactExport(ctx: ServiceContext, accessLog: AccessLogService, privacyAudit: PrivacyAudit) {
  const { db } = ctx;

  async function documentOf(
    scope: PersonScope,
    now: number,
  ): Promise<{ document: ContactDocument; files: MediaFile[]; logged: LoggedCase[] }> {
    const reader = db.kysely;
    const cases = await casesOfPerson(reader, scope);
    const notes = groupBy(await notesOfPerson(reader, scope), (note) => note.record_id);
    const labels = groupBy(await labelsOfPerson(reader, scope), (label) => label.record_id);
    const messages = await messagesOfPerson(reader, scope);
    const caseNumbers = groupBy(await caseNumbersOfPersonMessages(reader, scope), (row) => row.message_id);
    const media = groupBy(await mediaOfPersonMessages(reader, scope), (item) => item.message_id);
    const optOuts = await optOutsOfPerson(reader, scope);

    const files: MediaFile[] = [];
    const exportedMedia = (item: Awaited<ReturnType<typeof mediaOfPersonMessages>>[number]): ExportedMedia => {
      const name = sanitiseFileName(item.name);
      const held = item.status === 'stored' && item.blob_id !== null;
      const file = held ? `media/${item.id}${name ? `-${name}` : ''}` : null;
      if (file) files.push({ path: file, blobId: item.blob_id!, size: Number(item.size ?? 0) });
      return { id: item.id, name, contentType: item.content_type, size: numberOrNull(item.size), status: item.status, file };
    };

    const document: ContactDocument = {
      contact: scope.contact,
      exportedAt: at(now),
      surveyId: scope.surveyId,
      cases: cases.map((row) => ({
        caseNumber: Number(row.case_number),
        surveyId: row.survey_id,
        surveyName: row.survey_name,
        status: row.status,
        answers: JSON.parse(row.answers) as Record<string, unknown>,
        createdAt: at(row.created_at),
        closedAt: iso(numberOrNull(row.closed_at)),
        notes: (notes.get(row.id) ?? []).map((note) => ({
          text: note.text,
          authorName: note.author_name ?? null,
          at: at(note.created_at),
        })),
        labels: (labels.get(row.id) ?? []).map((label) => ({ id: label.id, name: label.name, color: label.color })).sort(byLabelName),
      })),
      messages: messages.map((row) => ({
        id: row.id,
        direction: row.direction,
        at: at(row.created_at),
        text: row.body,
        status: row.status,
        error: row.error_text === null ? null : { code: row.error_code, message: row.error_text },
        automatic: Boolean(row.automatic),
        authorName: row.author_name ?? null,
        ourNumber: row.our_number,
        channel: row.channel,
        caseNumbers: [...new Set((caseNumbers.get(row.id) ?? []).map((link) => Number(link.case_number)))],
        media: (media.get(row.id) ?? []).map(exportedMedia),
      })),
      optOuts: optOuts.map((row) => ({ ourNumber: row.our_number, channel: row.channel, at: at(row.created_at) })),
    };
    return { document, files, logged: cases.map((row) => ({ recordId: row.id, caseNumber: Number(row.case_number) })) };
  }

  /** The ZIP of the document and the files, each file's bytes opened only when the ZIP reaches it. */
  function zipOf(document: ContactDocument, files: readonly MediaFile[], now: number): Readable {
    const zip = new ZipFile();
    // A failed read of the store ends the download with an error rather than a ZIP cut short
    // that looks whole; a client that goes away stops the ZIP where it was.
    const output = new PassThrough();
    pipeline(zip.outputStream, output).catch(() => {});
    zip.on('error', (error: Error) => output.destroy(error));
    const mtime = new Date(now);
    zip.addBuffer(Buffer.from(JSON.stringify(document, null, 2)), 'contact.json', { mtime });
    for (const file of files) {
      // Photos, voice notes and videos are compressed already: stored as they are.
      zip.addReadStreamLazy(file.path, { mtime, compress: false, size: file.size }, (done) => {
        const opened =
          file.size > 0 ? ctx.media.store.open(file.blobId, { start: 0, end: file.size - 1 }) : Promise.resolve(Readable.from([]));
        opened.then(
          (stream) => done(null, stream),
          (error: unknown) => done(error, Readable.from([])),
        );
      });
    }
    zip.end();
    return output;
  }

  return {
    /** `GET /contacts/export` (admin): a person unknown in the scope gets a ZIP of no cases, not an error. */
    async export(actor: Actor, query: ContactExportQuery): Promise<ContactExportFile> {
      const scope = await personScope(db.kysely, actor, query);
      const now = ctx.now();
      const { document, files, logged } = await documentOf(scope, now);
      const exportId = newId(now);
      await db.transaction((tx) =>
        privacyAudit.record(tx.db, {
          orgId: scope.orgId,
          userId: actor.userId,
          action: 'export',
          surveyId: scope.surveyId,
          contact: scope.contact,
          counts: {
            records: document.cases.length,
            messages: document.messages.length,
            media: document.messages.reduce((sum, message) => sum + message.media.length, 0),
          },
        }),
      );
      await accessLog.exportRead(actor, exportId, logged);
      // Named by the day only: a file name travels (downloads folders, mail), the number must not.
      return { fileName: `contact-export-${document.exportedAt.slice(0, 10)}.zip`, stream: zipOf(document, files, now) };
    },
  };
}

export type ContactExport = ReturnType<typeof createContactExport>;
