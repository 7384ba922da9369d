import 'i18next';
import type account from './locales/en/account.json';
import type admin from './locales/en/admin.json';
import type caseScreen from './locales/en/case.json';
import type caseDetails from './locales/en/caseDetails.json';
import type cases from './locales/en/cases.json';
import type common from './locales/en/common.json';
import type errors from './locales/en/errors.json';
import type numbers from './locales/en/numbers.json';
import type privacy from './locales/en/privacy.json';
import type reports from './locales/en/reports.json';
import type webhooks from './locales/en/webhooks.json';

// English is the reference: a key missing from it is a type error where it is used.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'common';
    resources: {
      account: typeof account;
      admin: typeof admin;
      case: typeof caseScreen;
      caseDetails: typeof caseDetails;
      cases: typeof cases;
      common: typeof common;
      errors: typeof errors;
      numbers: typeof numbers;
      privacy: typeof privacy;
      reports: typeof reports;
      webhooks: typeof webhooks;
    };
    strictKeyChecks: true;
  }
}
