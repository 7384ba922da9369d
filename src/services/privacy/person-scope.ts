import type { Executor } from '../../db/database.js';
import type { PersonScope } from '../../db/queries/contact-export.js';
import { validationFailed } from '../../domain/errors.js';
import { contactSpellings, isPhoneNumber, normalisePhone } from '../../domain/phone.js';
import { requireAdmin, type Actor } from '../context.js';
import { loadSurvey } from '../surveys.js';

export type { PersonScope };

/**
 * Whom an erasure or an access export is about (DESIGN.md §9): an admin's request for one
 * person, by number, in the organisation or in one of its surveys. The number is read as
 * numbers are stored (E.164), and found under each of its spellings (a Brazilian mobile with
 * and without its ninth digit, DESIGN.md §11); the error never repeats it, as errors may be logged.
 */
export async function personScope(db: Executor, actor: Actor, request: { contact: string; surveyId?: string }): Promise<PersonScope> {
  requireAdmin(actor);
  if (!isPhoneNumber(request.contact)) {
    throw validationFailed('contact must be a phone number in international form, e.g. +44 7700 900123', { field: 'contact' });
  }
  const contact = normalisePhone(request.contact);
  if (request.surveyId !== undefined) await loadSurvey(db, actor.orgId, request.surveyId);
  return { orgId: actor.orgId, contact, spellings: contactSpellings(contact), surveyId: request.surveyId ?? null };
}
