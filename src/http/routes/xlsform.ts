import fastifyMultipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorSchema, errorResponses, IdParams, XlsFormImport } from '../../contract/index.js';
import { DomainError, validationFailed } from '../../domain/errors.js';
import type { Services } from '../../services/index.js';
import { XLSFORM_MAX_BYTES } from '../../services/xlsform.js';
import { actorOf, requireAuth } from '../auth.js';
import { contentDisposition } from './media.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The .xlsx file: documented as binary. */
const Workbook = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' });

const tooLarge = () => new DomainError('payload_too_large', `An XLSForm may be at most ${XLSFORM_MAX_BYTES / (1024 * 1024)} MiB`);

/**
 * XLSForm (DESIGN.md §11, §13): `POST /surveys/import` builds a survey from one uploaded
 * workbook, multipart field `file`, refused as soon as it passes the limit;
 * `GET /surveys/{id}/xlsform` writes a survey back as one.
 */
export const xlsFormRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { xlsForms } = services;
  app.addHook('preHandler', requireAuth);
  await app.register(fastifyMultipart, {
    limits: { files: 1, fileSize: XLSFORM_MAX_BYTES, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 100 },
  });

  app.post(
    '/surveys/import',
    {
      schema: {
        tags: ['surveys'],
        consumes: ['multipart/form-data'],
        body: Type.Object({ file: Type.String({ format: 'binary' }) }),
        response: { 201: XlsFormImport, 413: ErrorSchema, ...errorResponses },
      },
      // The body schema documents the form; the file is read in the handler.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw validationFailed('Send the workbook as multipart/form-data, in the field `file`');
      const upload = await readWorkbookUpload(request.file.bind(request));
      return reply.status(201).send(await xlsForms.import(actorOf(request), upload));
    },
  );

  app.get(
    '/surveys/:id/xlsform',
    { schema: { tags: ['surveys'], params: IdParams, response: { 200: Workbook, ...errorResponses } } },
    async (request, reply) => {
      const file = await xlsForms.export(actorOf(request), request.params.id);
      return reply
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', contentDisposition('attachment', file.fileName))
        .header('cache-control', 'no-store')
        .send(file.bytes);
    },
  );
};

/** The uploaded file's bytes, refused with 413 once they pass the limit while still arriving. */
async function readWorkbookUpload(nextFile: () => Promise<MultipartFile | undefined>): Promise<{ bytes: Buffer; fileName: string | null }> {
  try {
    const part = await nextFile();
    if (!part) throw validationFailed('Send one file, in the multipart field `file`');
    if (part.fieldname !== 'file') {
      part.file.resume();
      throw validationFailed('Send the workbook in the multipart field `file`');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file) {
      size += (chunk as Buffer).length;
      if (size > XLSFORM_MAX_BYTES || part.file.truncated) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
    if (part.file.truncated) throw tooLarge();
    return { bytes: Buffer.concat(chunks), fileName: part.filename || null };
  } catch (error) {
    if (error instanceof DomainError) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge();
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw validationFailed('Send one workbook, in the multipart field `file`');
    }
    throw validationFailed('The multipart form is cut short or malformed');
  }
}
