import { ROLES, type Role } from '@tessera/domain/tenant/membership';

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The role the IdP's groups grant in one tenant. `pattern` names the group, e.g.
 * `tessera:{tenant}:{role}`; several matching groups give the strongest role.
 */
export function roleFromGroups(
  groups: readonly unknown[],
  pattern: string,
  tenantSlug: string,
): Role | null {
  const source = escapeRe(pattern)
    .replace(escapeRe('{tenant}'), escapeRe(tenantSlug))
    .replace(escapeRe('{role}'), '([a-z]+)');
  const re = new RegExp(`^${source}$`);
  let best: Role | null = null;
  for (const g of groups) {
    if (typeof g !== 'string') continue;
    const role = re.exec(g)?.[1];
    if (!role || !ROLES.includes(role as Role)) continue;
    // ROLES is ordered strongest first.
    if (best === null || ROLES.indexOf(role as Role) < ROLES.indexOf(best)) best = role as Role;
  }
  return best;
}
