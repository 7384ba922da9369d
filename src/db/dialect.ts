export type Dialect = 'sqlite' | 'pg';
