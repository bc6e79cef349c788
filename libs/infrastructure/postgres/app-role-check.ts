import type { DataSource } from 'typeorm';
import { SCHEMA } from './provision';

interface RoleFacts {
  role: string;
  superuser: boolean;
  bypassrls: boolean;
  owned: number;
}

/**
 * Why the connected role could escape row-level security, in words an operator can act on; empty
 * when it cannot. Membership counts: a role that may SET ROLE to a superuser, a BYPASSRLS role
 * or the tables' owner can switch RLS off for itself.
 */
export async function appRoleProblems(ds: DataSource): Promise<string[]> {
  const [facts] = (await ds.query(
    `SELECT current_user AS role,
            EXISTS (SELECT 1 FROM pg_roles o
                     WHERE o.rolsuper AND pg_has_role(current_user, o.oid, 'MEMBER')) AS superuser,
            EXISTS (SELECT 1 FROM pg_roles o
                     WHERE o.rolbypassrls AND pg_has_role(current_user, o.oid, 'MEMBER')) AS bypassrls,
            (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND pg_has_role(current_user, c.relowner, 'MEMBER'))::int
            + (SELECT count(*) FROM pg_namespace n
                WHERE n.nspname = $1 AND pg_has_role(current_user, n.nspowner, 'MEMBER'))::int
              AS owned`,
    [SCHEMA],
  )) as RoleFacts[];
  const problems: string[] = [];
  if (facts!.superuser) problems.push('is (or can become) a superuser');
  if (facts!.bypassrls) problems.push('has (or can assume) BYPASSRLS');
  if (facts!.owned > 0)
    problems.push(`owns (or can act as the owner of) the ${SCHEMA} schema or its tables`);
  return problems.length ? [`role "${facts!.role}" ${problems.join(', ')}`] : [];
}
