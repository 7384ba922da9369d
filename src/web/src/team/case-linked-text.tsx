import { paths } from '../router.js';
import type { TextPart } from './case-links.js';

/** Text whose case numbers (`#4`) are links to those cases. */
export function CaseLinkedText({ parts }: { parts: TextPart[] }) {
  return (
    <>
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a key={i} href={paths.case(part.caseNumber)}>
            #{part.caseNumber}
          </a>
        ),
      )}
    </>
  );
}
