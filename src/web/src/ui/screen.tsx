import { useId, type ReactNode } from 'react';

/**
 * A screen: a section named by its h1, so assistive tech lists it as a region. `crumb`
 * links up to the screen it belongs to; `beside` sits next to the title (an "Add" button,
 * a subtitle, a picker).
 */
export function Page({
  title,
  crumb,
  beside,
  className = 'page',
  children,
}: {
  title: ReactNode;
  crumb?: { href: string; label: string };
  beside?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  const titleId = useId();
  const heading = <h1 id={titleId}>{title}</h1>;
  return (
    <section className={className} aria-labelledby={titleId}>
      {crumb && (
        <p className="crumbs">
          <a href={crumb.href}>{crumb.label}</a>
        </p>
      )}
      {beside === undefined ? (
        heading
      ) : (
        <div className="page-head">
          {heading}
          {beside}
        </div>
      )}
      {children}
    </section>
  );
}
