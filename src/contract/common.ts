import { Type, type SchemaOptions, type Static, type TLiteral, type TSchema, type TUnion, type TUnsafe } from '@sinclair/typebox';
import { ERROR_CODES, FAULT_CODES } from '../domain/errors.js';

/**
 * The API contract (DESIGN.md §4): TypeBox schemas that validate requests and describe
 * answers in the OpenAPI document, and their `Static` types, which the services return and
 * the console reads. Enumerations are built from the domain's own lists, so a new provider
 * or question type is one change. This folder imports only the domain and TypeBox.
 */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** One of `values`, validated: for fields a client sends (and those documented this way from the start). */
export const OneOf = <const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnion<Array<TLiteral<T[number]>>> =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  );

/** One of `values`, for fields only the server writes: documented as an enum, serialised as a plain string. */
export const StringEnum = <const T extends readonly string[]>(values: T, options?: SchemaOptions): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });

export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const Time = Type.String({ format: 'date-time' });
export const Person = Type.Object({ id: Type.String(), name: Type.String() });
export type Person = Static<typeof Person>;

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({ code: StringEnum([...ERROR_CODES, ...FAULT_CODES]), message: Type.String(), details: Type.Optional(Type.Any()) }),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorSchema>;

export const CaseNumber = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const CaseNumberParams = Type.Object({ caseNumber: CaseNumber });
export const IdParams = Type.Object({ id: Id });
export const MessageParams = Type.Object({ caseNumber: CaseNumber, messageId: Id });

export const listOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });
/** A list answer (DESIGN.md §4): `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const errorResponses = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema };
