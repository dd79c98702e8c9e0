/**
 * SCIM 2.0 at /scim/v2 (RFC 7644) for the hospital's provisioning service (Microsoft Entra, Okta):
 * Users and Groups with filters, pagination, PATCH, ETags (`W/"<version>"`, If-Match honoured), each client
 * with its own bearer token, kept as its SHA-256 in config. Users become directory people in the overlay
 * (store/directory-port.ts) under the source `scim:<client>`; a user whose userName is the UPN of a person
 * already in config/directory.yaml is that person, not a copy. Groups become directory groups, and grant
 * the role `identity.scim.groupRoles` names at sign-in. Setting `active` false (or DELETE) deactivates
 * the person: sessions end, pages close, routing stops, and their coming shifts are reported as gaps.
 *
 * Errors are SCIM error JSON (RFC 7644 §3.12), not problem JSON: provisioning clients read `scimType`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type {
  DirectoryOverlayStore,
  Origin,
  OverlayGroup,
  OverlayPerson,
} from '../../store/directory-port.ts';
import type { AuditLog } from '../../store/port.ts';
import type { ScimOptions as ScimConfig } from '../identity-options.ts';
import { type Filter, type FilterError, matches, parseFilter } from './filter.ts';
import { applyPatch, PatchError } from './patch.ts';
import { etag, GROUP_SCHEMA, groupView, memberIds, readUser, USER_SCHEMA, userView } from './resources.ts';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const MAX_PAGE = 200;

type Json = Record<string, unknown>;

export interface ScimDeps {
  config: () => ScimConfig;
  store: DirectoryOverlayStore;
  /** A person of the merged directory by UPN (to adopt a config person rather than copy them). */
  findByUpn: (upn: string) => string | undefined;
  nameOf: (id: string) => string | undefined;
  /** The overlay changed: rebuild the directory routing uses, before the answer goes. */
  changed: () => Promise<void>;
  /** A person was deactivated: end sessions, close pages, report gaps. */
  deactivated: (personId: string, source: string) => Promise<void>;
  audit: AuditLog;
  now: () => Date;
}

export class ScimError extends Error {
  constructor(
    readonly status: number,
    readonly scimType: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    scimClient?: string;
  }
}

export async function scimRoutes(app: FastifyInstance, deps: ScimDeps): Promise<void> {
  await app.register(
    async (scim) => {
      scim.addContentTypeParser('application/scim+json', { parseAs: 'string' }, (_req, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(new ScimError(400, 'invalidSyntax', 'the body is not JSON'), undefined);
        }
      });
      scim.setErrorHandler((err: Error, req, reply) => {
        if (err instanceof ScimError) return scimError(reply, err.status, err.scimType, err.message);
        const status = (err as { statusCode?: number }).statusCode ?? 500;
        if (status >= 500) req.log.error({ err }, 'SCIM request failed');
        const detail = status >= 500 ? 'internal error' : err.message;
        return scimError(reply, status, status === 400 ? 'invalidSyntax' : undefined, detail);
      });
      scim.setNotFoundHandler((_req, reply) => scimError(reply, 404, undefined, 'no such SCIM endpoint'));
      scim.addHook('onRequest', async (req, reply) => {
        if (!deps.config().enabled)
          return scimError(reply, 404, undefined, 'SCIM provisioning is not enabled here');
        const client = clientOf(req, deps.config());
        if (!client) {
          reply.header('www-authenticate', 'Bearer realm="scim"');
          return scimError(reply, 401, undefined, 'a valid bearer token of a SCIM client is required');
        }
        req.scimClient = client;
      });
      const route = { config: { access: 'public' as const } };
      const users = new Users(deps);
      const groups = new Groups(deps);

      scim.get('/ServiceProviderConfig', route, async () => SERVICE_PROVIDER);
      scim.get('/ResourceTypes', route, async () => list(RESOURCE_TYPES, 1, RESOURCE_TYPES.length));
      scim.get('/Schemas', route, async () => list([], 1, 0));

      scim.get('/Users', route, async (req) => users.search(req));
      scim.post('/Users', route, async (req, reply) => users.create(req, reply));
      scim.get('/Users/:id', route, async (req, reply) => users.get(req, reply));
      scim.put('/Users/:id', route, async (req, reply) => users.replace(req, reply));
      scim.patch('/Users/:id', route, async (req, reply) => users.patch(req, reply));
      scim.delete('/Users/:id', route, async (req, reply) => users.remove(req, reply));

      scim.get('/Groups', route, async (req) => groups.search(req));
      scim.post('/Groups', route, async (req, reply) => groups.create(req, reply));
      scim.get('/Groups/:id', route, async (req, reply) => groups.get(req, reply));
      scim.put('/Groups/:id', route, async (req, reply) => groups.replace(req, reply));
      scim.patch('/Groups/:id', route, async (req, reply) => groups.patch(req, reply));
      scim.delete('/Groups/:id', route, async (req, reply) => groups.remove(req, reply));
    },
    { prefix: '/scim/v2' },
  );
}

class Users {
  constructor(private readonly deps: ScimDeps) {}

  async search(req: FastifyRequest) {
    const { filter, start, count } = paging(req);
    const all = (await this.mine(req)).map((p) => userView(p, this.location(req, p.id)));
    const hits = filter ? all.filter((u) => matches(filter, u)) : all;
    return list(hits.slice(start - 1, start - 1 + count), start, hits.length);
  }

  async get(req: FastifyRequest, reply: FastifyReply) {
    const p = await this.find(req);
    return this.answer(req, reply, p, 200);
  }

  async create(req: FastifyRequest, reply: FastifyReply) {
    const resource = body(req);
    const fields = readOrFail(resource);
    const source = sourceOf(req);
    if ((await this.mine(req)).some((p) => sameName(p, fields.userName)))
      throw new ScimError(409, 'uniqueness', `a user with userName ${fields.userName} already exists`);
    // The person may already be in config/directory.yaml: provisioning takes them over, it does not copy.
    const adopted = this.deps.findByUpn(fields.userName);
    const taken = adopted ? await this.deps.store.person(adopted) : undefined;
    const id = adopted && !taken?.externalKey ? adopted : `p-${randomBytes(6).toString('hex')}`;
    const p = await this.save(id, resource, this.origin(req), { source, key: id });
    await this.deps.audit.record({
      at: this.deps.now(),
      actor: source,
      action: 'directory.provision',
      subject: `person:${id}`,
      detail: `userName ${fields.userName}${adopted === id ? ' (a person of the directory file)' : ''}`,
    });
    return this.answer(req, reply, p, 201);
  }

  async replace(req: FastifyRequest, reply: FastifyReply) {
    const p = await this.find(req);
    checkVersion(req, p.version);
    const resource = body(req);
    readOrFail(resource);
    return this.answer(req, reply, await this.save(p.id, resource, this.origin(req)), 200);
  }

  async patch(req: FastifyRequest, reply: FastifyReply) {
    const p = await this.find(req);
    checkVersion(req, p.version);
    let resource: Json;
    try {
      resource = applyPatch((p.attributes.scim as Json | undefined) ?? {}, body(req));
    } catch (err) {
      if (err instanceof PatchError) throw new ScimError(400, err.scimType, err.message);
      throw err;
    }
    readOrFail(resource);
    return this.answer(req, reply, await this.save(p.id, resource, this.origin(req)), 200);
  }

  async remove(req: FastifyRequest, reply: FastifyReply) {
    const p = await this.find(req);
    checkVersion(req, p.version);
    // The person stays (shifts and timelines name them) but is deactivated and no longer provisioned.
    const resource = { ...((p.attributes.scim as Json | undefined) ?? {}), active: false };
    await this.save(p.id, resource, this.origin(req));
    await this.deps.store.savePerson(
      p.id,
      { attributes: { ...p.attributes, scim: resource, deleted: true } },
      this.origin(req),
    );
    await this.deps.changed();
    return reply.code(204).send();
  }

  private async save(
    id: string,
    resource: Json,
    origin: Origin,
    key?: { source: string; key: string },
  ): Promise<OverlayPerson> {
    const fields = readUser(resource);
    const before = await this.deps.store.person(id);
    const { id: _id, meta: _meta, ...kept } = resource;
    await this.deps.store.savePerson(
      id,
      {
        name: fields.name,
        title: fields.title,
        department: fields.department,
        ids: { upn: fields.userName, employeeId: fields.employeeId },
        attributes: { scim: kept },
      },
      origin,
      key,
    );
    await this.deps.store.replaceContacts(id, fields.contacts, origin);
    let saved = await this.deps.store.setActive(id, fields.active, origin);
    await this.deps.changed();
    if (!fields.active && before?.active !== false) {
      await this.deps.deactivated(id, origin.source);
      saved = (await this.deps.store.person(id)) ?? saved;
    }
    return saved;
  }

  private async mine(req: FastifyRequest): Promise<OverlayPerson[]> {
    const source = sourceOf(req);
    return (await this.deps.store.people()).filter(
      (p) => p.externalKey?.source === source && p.attributes.deleted !== true,
    );
  }

  private async find(req: FastifyRequest): Promise<OverlayPerson> {
    const id = (req.params as { id: string }).id;
    const p = (await this.mine(req)).find((x) => x.id === id);
    if (!p) throw new ScimError(404, undefined, `no user ${id}`);
    return p;
  }

  private origin(req: FastifyRequest): Origin {
    return { source: sourceOf(req), at: this.deps.now() };
  }

  private location(req: FastifyRequest, id: string): string {
    return `${baseUrl(req)}/scim/v2/Users/${id}`;
  }

  private answer(req: FastifyRequest, reply: FastifyReply, p: OverlayPerson, status: number) {
    reply.header('etag', etag(p.version));
    if (status === 201) reply.header('location', this.location(req, p.id));
    return reply
      .code(status)
      .type('application/scim+json')
      .send(userView(p, this.location(req, p.id)));
  }
}

class Groups {
  constructor(private readonly deps: ScimDeps) {}

  async search(req: FastifyRequest) {
    const { filter, start, count } = paging(req);
    const all = (await this.mine(req)).map((g) => this.view(req, g));
    const hits = filter ? all.filter((g) => matches(filter, g)) : all;
    // Entra asks for groups with excludedAttributes=members; the list can be long, so leave it out.
    const excluded = String((req.query as Json).excludedAttributes ?? '')
      .toLowerCase()
      .includes('members');
    const page = hits
      .slice(start - 1, start - 1 + count)
      .map((g) => (excluded ? { ...g, members: undefined } : g));
    return list(page, start, hits.length);
  }

  async get(req: FastifyRequest, reply: FastifyReply) {
    return this.answer(req, reply, await this.find(req), 200);
  }

  async create(req: FastifyRequest, reply: FastifyReply) {
    const resource = body(req);
    const name = displayName(resource);
    if ((await this.mine(req)).some((g) => g.name.toLowerCase() === name.toLowerCase()))
      throw new ScimError(409, 'uniqueness', `a group named ${name} already exists`);
    const id = `g-${randomBytes(6).toString('hex')}`;
    const g = await this.save(id, resource, this.origin(req), { source: sourceOf(req), key: id });
    return this.answer(req, reply, g, 201);
  }

  async replace(req: FastifyRequest, reply: FastifyReply) {
    const g = await this.find(req);
    checkVersion(req, g.version);
    return this.answer(req, reply, await this.save(g.id, body(req), this.origin(req)), 200);
  }

  async patch(req: FastifyRequest, reply: FastifyReply) {
    const g = await this.find(req);
    checkVersion(req, g.version);
    const current = {
      ...((g.attributes.scim as Json | undefined) ?? {}),
      displayName: g.name,
      members: g.members.map((value) => ({ value })),
    };
    let resource: Json;
    try {
      resource = applyPatch(current, body(req));
    } catch (err) {
      if (err instanceof PatchError) throw new ScimError(400, err.scimType, err.message);
      throw err;
    }
    return this.answer(req, reply, await this.save(g.id, resource, this.origin(req)), 200);
  }

  async remove(req: FastifyRequest, reply: FastifyReply) {
    const g = await this.find(req);
    checkVersion(req, g.version);
    await this.deps.store.removeGroup(g.id);
    await this.deps.changed();
    return reply.code(204).send();
  }

  private async save(
    id: string,
    resource: Json,
    origin: Origin,
    key?: { source: string; key: string },
  ): Promise<OverlayGroup> {
    const name = displayName(resource);
    const role = this.deps.config().groupRoles[name];
    const { id: _id, meta: _meta, members: _members, ...kept } = resource;
    await this.deps.store.saveGroup(
      id,
      { name, roles: role ? [role] : [], attributes: { scim: kept } },
      origin,
      key,
    );
    const g = await this.deps.store.setMembers(id, memberIds(resource), origin);
    await this.deps.changed();
    return g;
  }

  private async mine(req: FastifyRequest): Promise<OverlayGroup[]> {
    const source = sourceOf(req);
    return (await this.deps.store.groups()).filter((g) => g.externalKey?.source === source);
  }

  private async find(req: FastifyRequest): Promise<OverlayGroup> {
    const id = (req.params as { id: string }).id;
    const g = (await this.mine(req)).find((x) => x.id === id);
    if (!g) throw new ScimError(404, undefined, `no group ${id}`);
    return g;
  }

  private origin(req: FastifyRequest): Origin {
    return { source: sourceOf(req), at: this.deps.now() };
  }

  private view(req: FastifyRequest, g: OverlayGroup): Json {
    return groupView(g, `${baseUrl(req)}/scim/v2/Groups/${g.id}`, this.deps.nameOf);
  }

  private answer(req: FastifyRequest, reply: FastifyReply, g: OverlayGroup, status: number) {
    reply.header('etag', etag(g.version));
    const view = this.view(req, g);
    if (status === 201) reply.header('location', (view.meta as Json).location as string);
    return reply.code(status).type('application/scim+json').send(view);
  }
}

function clientOf(req: FastifyRequest, config: ScimConfig): string | undefined {
  const m = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const given = createHash('sha256')
    .update(m[1] as string)
    .digest();
  for (const c of config.clients) {
    const expected = Buffer.from(c.tokenSha256, 'hex');
    if (expected.length === given.length && timingSafeEqual(expected, given)) return c.name;
  }
  return undefined;
}

function sourceOf(req: FastifyRequest): string {
  return `scim:${req.scimClient}`;
}

function paging(req: FastifyRequest): { filter?: Filter; start: number; count: number } {
  const q = req.query as Json;
  let filter: Filter | undefined;
  if (typeof q.filter === 'string' && q.filter.trim()) {
    try {
      filter = parseFilter(q.filter);
    } catch (err) {
      throw new ScimError(400, 'invalidFilter', (err as FilterError).message);
    }
  }
  const start = Math.max(1, Number.parseInt(String(q.startIndex ?? '1'), 10) || 1);
  const asked = Number.parseInt(String(q.count ?? MAX_PAGE), 10);
  const count = Math.min(MAX_PAGE, Math.max(0, Number.isNaN(asked) ? MAX_PAGE : asked));
  return { filter, start, count };
}

function list(resources: unknown[], startIndex: number, total: number) {
  return {
    schemas: [LIST],
    totalResults: total,
    startIndex,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}

function body(req: FastifyRequest): Json {
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body))
    throw new ScimError(400, 'invalidSyntax', 'the body must be a JSON object');
  return req.body as Json;
}

function readOrFail(resource: Json) {
  try {
    return readUser(resource);
  } catch (err) {
    throw new ScimError(400, 'invalidValue', (err as Error).message);
  }
}

function displayName(resource: Json): string {
  const name = Object.entries(resource).find(([k]) => k.toLowerCase() === 'displayname')?.[1];
  if (typeof name !== 'string' || !name.trim())
    throw new ScimError(400, 'invalidValue', 'displayName is required');
  return name.trim();
}

function sameName(p: OverlayPerson, userName: string): boolean {
  return p.ids.upn?.toLowerCase() === userName.toLowerCase();
}

/** If-Match (RFC 7644 §3.14): a stale version is refused with 412 rather than overwriting a newer one. */
function checkVersion(req: FastifyRequest, version: number): void {
  const ifMatch = req.headers['if-match'];
  if (!ifMatch || ifMatch === '*') return;
  const wanted = ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!wanted.includes(`"${version}"`))
    throw new ScimError(412, undefined, `the resource changed: its version is now ${etag(version)}`);
}

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.headers.host ?? 'localhost'}`;
}

function scimError(reply: FastifyReply, status: number, scimType: string | undefined, detail: string) {
  return reply
    .code(status)
    .type('application/scim+json')
    .send({ schemas: [ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail });
}

const SERVICE_PROVIDER = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
  documentationUri: 'docs/sign-in.md#scim',
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_PAGE },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: true },
  authenticationSchemes: [
    { type: 'oauthbearertoken', name: 'Bearer token', description: 'one token per provisioning client' },
  ],
};

const RESOURCE_TYPES = [
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: USER_SCHEMA,
  },
  {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: GROUP_SCHEMA,
  },
];
