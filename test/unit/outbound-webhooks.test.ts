import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/domain/change-events.js';
import { isPublicAddress, parseWebhookEvents, planDeliveries } from '../../src/domain/outbound-webhooks.js';

describe('outbound webhook addresses', () => {
  it.each([
    '127.0.0.1',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.254',
    '0.0.0.0',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '64:ff9b::a00:1',
  ])('%s is not public', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['8.8.8.8', '203.0.113.10', '100.128.0.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );
});

describe('planning deliveries', () => {
  const base = { orgId: 'o', surveyId: 's' };
  const all = [{ id: 'w', events: ['record.created', 'record.updated', 'record.closed', 'message.added', 'message.status'] as const }];

  it('a case touched several times in one change is one record.updated', () => {
    const events: ChangeEvent[] = [
      { type: 'record.updated', caseNumber: 1, ...base },
      { type: 'record.updated', caseNumber: 1, ...base },
    ];
    expect(planDeliveries(events, all).map((d) => d.event)).toEqual(['record.updated']);
  });

  it('a case created in the change is record.created, not also record.updated', () => {
    const events: ChangeEvent[] = [
      { type: 'record.created', caseNumber: 2, ...base },
      { type: 'record.updated', caseNumber: 2, ...base },
    ];
    expect(planDeliveries(events, all).map((d) => d.event)).toEqual(['record.created']);
  });

  it('a close is record.updated and record.closed; created closed is record.created and record.closed', () => {
    expect(planDeliveries([{ type: 'record.updated', caseNumber: 3, closed: true, ...base }], all).map((d) => d.event)).toEqual([
      'record.updated',
      'record.closed',
    ]);
    expect(planDeliveries([{ type: 'record.created', caseNumber: 4, closed: true, ...base }], all).map((d) => d.event)).toEqual([
      'record.created',
      'record.closed',
    ]);
  });

  it('a message added to two cases is a message.added for each; console-only events make none', () => {
    const events: ChangeEvent[] = [
      { type: 'message.added', caseNumber: 5, messageId: 'm', ...base },
      { type: 'message.added', caseNumber: 6, messageId: 'm', ...base },
      { type: 'labels.changed', ...base },
      { type: 'jobs.ready', ...base },
    ];
    expect(planDeliveries(events, all).map((d) => [d.event, d.caseNumber])).toEqual([
      ['message.added', 5],
      ['message.added', 6],
    ]);
  });

  it('only the events a subscription chose', () => {
    const events: ChangeEvent[] = [{ type: 'record.updated', caseNumber: 7, closed: true, ...base }];
    expect(planDeliveries(events, [{ id: 'w', events: ['record.closed'] }]).map((d) => d.event)).toEqual(['record.closed']);
  });

  it('events are checked and put in a stable order', () => {
    expect(parseWebhookEvents(['message.added', 'record.created', 'message.added'])).toEqual(['record.created', 'message.added']);
    expect(() => parseWebhookEvents(['record.deleted'])).toThrow(/not an event/);
  });
});
