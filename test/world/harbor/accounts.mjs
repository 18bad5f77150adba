// Accounts and projects of the Harbor double: who may do what where. The file is written by
// test/world/harbor-world.ts (mode 0600: it holds the passwords).
import { timingSafeEqual } from 'node:crypto';

/** `Authorization: Basic ...` -> the account, `null` when absent, `false` when wrong. */
export function authenticate(header, accounts) {
  if (!header) return null;
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return false;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return false;
  const username = text.slice(0, colon);
  const password = Buffer.from(text.slice(colon + 1));
  const account = accounts.find((a) => a.username === username);
  if (!account) return false;
  const expected = Buffer.from(account.password);
  return expected.length === password.length && timingSafeEqual(expected, password) ? account : false;
}

/** Actions an account (or anonymous: null) holds on a project: Harbor grants pull on public projects to all. */
export function actionsOn(account, project) {
  if (!project) return [];
  const granted = new Set(account?.permissions?.[project.name] ?? []);
  if (project.public) granted.add('pull');
  return [...granted];
}

/** The project a repository name belongs to (its first path part), or undefined. */
export function projectOf(repository, projects) {
  const name = repository.split('/')[0];
  return projects.find((p) => p.name === name);
}

/** Harbor hides private projects from accounts that are not members. */
export function canSee(account, project) {
  return project.public || Boolean(account?.permissions?.[project.name]);
}
