import type { Question } from '../../src/contract/index.js';

/** The survey most tests and benchmarks use: a helpline with case management on `status`. */
export const STATUS_QUESTIONS: Question[] = [
  { name: 'phone', label: 'Phone', type: 'phone' },
  { name: 'conversation', label: 'Conversation', type: 'conversation' },
  {
    name: 'status',
    label: 'Status',
    type: 'select_one',
    choices: [
      { value: 'new', label: 'New' },
      { value: 'working', label: 'Working' },
      { value: 'closed', label: 'Closed' },
    ],
  },
  { name: 'notes_text', label: 'Summary', type: 'text' },
];
