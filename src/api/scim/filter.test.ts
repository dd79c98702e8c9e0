import { describe, expect, it } from 'vitest';
import { FilterError, matches, parseFilter } from './filter.ts';
import { applyPatch } from './patch.ts';

// The user of RFC 7643 section 8.2, trimmed.
const bjensen = {
  userName: 'bjensen',
  name: { familyName: "O'Malley", givenName: 'Barbara' },
  title: 'Tour Guide',
  userType: 'Employee',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984' },
};

const hit = (filter: string) => matches(parseFilter(filter), bjensen);

describe('SCIM filters (the examples of RFC 7644 section 3.4.2.2)', () => {
  it('eq, co, sw, ew and pr, with attribute names and string values compared without case', () => {
    expect(hit('userName eq "bjensen"')).toBe(true);
    expect(hit('UserName EQ "BJensen"')).toBe(true);
    expect(hit('name.familyName co "O\'Malley"')).toBe(true);
    expect(hit('userName sw "J"')).toBe(false);
    expect(hit('userName sw "b"')).toBe(true);
    expect(hit('userName ew "sen"')).toBe(true);
    expect(hit('title pr')).toBe(true);
    expect(hit('nickName pr')).toBe(false);
    expect(hit('userName ne "bjensen"')).toBe(false);
  });

  it('and binds tighter than or; parentheses and not group; multi-valued attributes match any value', () => {
    expect(hit('title pr and userType eq "Employee"')).toBe(true);
    expect(hit('title pr or userType eq "Intern"')).toBe(true);
    expect(hit('userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")')).toBe(
      true,
    );
    expect(
      hit('userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")'),
    ).toBe(false);
    expect(hit('emails.value eq "babs@jensen.org"')).toBe(true);
    expect(hit('userType eq "Intern" or userName eq "x" and title pr')).toBe(false);
    expect(hit('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"')).toBe(
      true,
    );
  });

  it('refuses what it cannot read, saying where', () => {
    expect(() => parseFilter('userName eq')).toThrow(FilterError);
    expect(() => parseFilter('userName is "x"')).toThrow(/not a filter operator/);
    expect(() => parseFilter('userName eq bjensen')).toThrow(/strings are quoted/);
    expect(() => parseFilter('(userName eq "x"')).toThrow(FilterError);
  });
});

describe('SCIM PATCH as Entra and Okta send it', () => {
  const user = {
    userName: 'kim',
    active: true,
    emails: [{ type: 'work', value: 'kim@old.test', primary: true }],
  };

  it('replaces through a value filter, adds a phone the filter describes, and an extension attribute', () => {
    const out = applyPatch(user, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'kim@new.test' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 617 555 0199' },
        {
          op: 'Add',
          path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
          value: 'E42',
        },
        { op: 'Replace', path: 'name.givenName', value: 'Kim' },
      ],
    });
    expect(out).toEqual({
      userName: 'kim',
      active: true,
      emails: [{ type: 'work', value: 'kim@new.test', primary: true }],
      phoneNumbers: [{ type: 'mobile', value: '+1 617 555 0199' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'E42' },
      name: { givenName: 'Kim' },
    });
    expect(user.emails[0]?.value).toBe('kim@old.test'); // the stored resource is not changed in place
  });

  it('takes a pathless replace with an object (Okta), and removes by filter or by value list (Entra)', () => {
    expect(applyPatch(user, { Operations: [{ op: 'replace', value: { active: false } }] }).active).toBe(
      false,
    );
    const group = { displayName: 'ICU', members: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] };
    const out = applyPatch(group, {
      Operations: [
        { op: 'Remove', path: 'members[value eq "a"]' },
        { op: 'Remove', path: 'members', value: [{ value: 'c' }] },
        { op: 'Add', path: 'members', value: [{ value: 'd' }, { value: 'b' }] },
      ],
    });
    expect(out.members).toEqual([{ value: 'b' }, { value: 'd' }]);
  });

  it('refuses an unknown op or an unreadable path with the SCIM error type', () => {
    expect(() => applyPatch(user, { Operations: [{ op: 'move', path: 'x' }] })).toThrow(
      /add, replace or remove/,
    );
    expect(() =>
      applyPatch(user, { Operations: [{ op: 'add', path: 'emails[type eq].value', value: 1 }] }),
    ).toThrow(/filter/);
    expect(() => applyPatch(user, { Operations: [] })).toThrow(/non-empty/);
  });
});
