// The API's permission matching (easel_proto.permissions.allows), to hide nav items a user would be refused.
export function allows(granted, needed) {
  return granted.some((g) => {
    if (g === needed) return true;
    // '*' leaves out what is beyond it (easel_proto.permissions.BEYOND_WILDCARD): tenants:*, pools:manage
    if (g === '*') return !needed.startsWith('tenants:') && !needed.startsWith('pools:manage');
    if (g.endsWith(':*')) return needed.startsWith(g.slice(0, -1));
    return false;
  });
}
