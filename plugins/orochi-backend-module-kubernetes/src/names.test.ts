import { isDnsLabel, namespaceFor } from './names';

describe('namespaceFor', () => {
  it('keeps <prefix><team> for a group in the default namespace, as existing deployments have it', () => {
    expect(namespaceFor('orochi-', 'group:default/team-x')).toBe('orochi-team-x');
    expect(namespaceFor('orochi-', 'group:default/team-payments')).toBe('orochi-team-payments');
    // Entity refs compare case-insensitively: the same group, the same namespace.
    expect(namespaceFor('orochi-', 'Group:Default/Team-X')).toBe('orochi-team-x');
  });

  it.each([
    ['group:a/payments', 'group:b/payments'],
    ['group:default/team.a', 'group:default/team-a'],
    ['group:default/team_a', 'group:default/team-a'],
    ['user:default/team-a', 'group:default/team-a'],
    ['group:a/b-c', 'group:a-b/c'],
    ['group:default/a-payments', 'group:a/payments'],
  ])('gives %s and %s different namespaces', (one, other) => {
    expect(namespaceFor('orochi-', one)).not.toBe(namespaceFor('orochi-', other));
  });

  it('names a non-default entity namespace and replaced characters readably, with 8 hex of the ref’s hash', () => {
    expect(namespaceFor('orochi-', 'group:a/payments')).toMatch(/^orochi-a-payments-[0-9a-f]{8}$/);
    expect(namespaceFor('orochi-', 'group:default/team.a')).toMatch(/^orochi-team-a-[0-9a-f]{8}$/);
    expect(namespaceFor('orochi-', 'user:default/alice')).toMatch(/^orochi-user-alice-[0-9a-f]{8}$/);
    // Stable: the same owner always gets the same namespace.
    expect(namespaceFor('orochi-', 'group:a/payments')).toBe(namespaceFor('orochi-', 'group:a/payments'));
  });

  it('stays within 63 characters, and long names that differ only at the end still differ', () => {
    const fits = `team-${'x'.repeat(51)}`; // 'orochi-' + 56 = 63
    expect(namespaceFor('orochi-', `group:default/${fits}`)).toBe(`orochi-${fits}`);
    const long = 'team-'.padEnd(70, 'y');
    const one = namespaceFor('orochi-', `group:default/${long}-1`);
    const other = namespaceFor('orochi-', `group:default/${long}-2`);
    expect(one).not.toBe(other);
    for (const name of [one, other, namespaceFor('orochi-', `group:${'n'.repeat(60)}/${long}`), namespaceFor('orochi-', `group:default/${fits}z`)]) {
      expect({ name, length: name.length <= 63, valid: isDnsLabel(name) }).toEqual({ name, length: true, valid: true });
    }
    expect(namespaceFor('orochi-', `group:default/${fits}z`)).toMatch(/^orochi-team-x+-[0-9a-f]{8}$/);
  });

  it('gives a name of only replaced characters its hash', () => {
    const name = namespaceFor('o-', 'group:default/___');
    expect(name).toMatch(/^o-[0-9a-f]{8}$/);
  });
});
