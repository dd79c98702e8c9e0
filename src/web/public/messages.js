// Messages between clinicians on the page: the conversation list, one conversation with its receipts and a
// reply box, and the composer with its pickers (recipient: people, on-call assignments, groups, the
// patient's care team or nurse; patient: from the census). HTTP for sending and reading, the socket for what
// arrives (docs/messaging.md, docs/websocket.md). The server decides every recipient; this page shows why.

import { ehrLinks } from './alert-detail.js';
import { h, replaceContent } from './dom.js';
import { fetchEhrLinks } from './session.js';

const PRIORITIES = [
  ['normal', 'Normal'],
  ['high', 'High'],
  ['urgent', 'Urgent'],
];

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

function receiptWords(message, me) {
  if (message.sender.personId !== me) return '';
  return message.receipts
    .map((r) => {
      if (r.state === 'read') return `Read by ${r.name} ${time(r.readAt)}`;
      if (r.state === 'delivered') return `Delivered to ${r.name}`;
      return `Sent to ${r.name}`;
    })
    .join(' · ');
}

export class MessagesView {
  /**
   * @param {{ section: HTMLElement, button: HTMLElement, announce: (text: string) => void,
   *   fetch?: typeof fetch }} options
   */
  constructor(options) {
    this.section = options.section;
    this.button = options.button;
    this.announce = options.announce;
    this.fetch = options.fetch ?? ((...args) => fetch(...args));
    this.session = null;
    this.send = () => false;
    this.conversations = [];
    this.open = null;
    this.route = null;
    this.draft = { to: null, patient: null, body: '', priority: 'normal', found: null, patients: null };
    this.status = '';
    this.searchTimer = null;
  }

  start(session, send) {
    this.session = session;
    this.send = send;
    this.button.hidden = false;
    void this.refreshList();
  }

  stop() {
    this.session = null;
    this.conversations = [];
    this.open = null;
    this.button.hidden = true;
    this.section.hidden = true;
    this.updateButton();
  }

  /** `#messages`, `#compose` or `#conversation-7`; anything else hides the view. */
  show(route) {
    this.route = route;
    this.section.hidden = route === null;
    if (route === null) return;
    const match = /^conversation-(\d+)$/.exec(route);
    if (match) void this.openConversation(Number(match[1]));
    else if (route === 'messages') void this.refreshList();
    this.render();
    this.section.querySelector('h1')?.focus();
  }

  /** Opened from the EHR about a patient: a new message about them, the patient already picked. */
  async composeAbout(mrn) {
    try {
      const { patients } = await this.api(`/api/patients?q=${encodeURIComponent(mrn)}`);
      const patient = patients.find((p) => p.mrn === mrn);
      this.draft.patient = patient ?? null;
      this.draft.patientQuery = patient ? '' : mrn;
      this.status = patient ? '' : `The EHR's patient (${mrn}) is not in Switchboard's census.`;
    } catch (err) {
      this.status = err.message;
    }
    location.hash = '#compose';
    this.render();
  }

  /** A `message` frame: for me, or my own from another device. */
  receive(frame) {
    const me = this.session?.person?.id;
    const { conversation, message } = frame;
    if (message.sender.personId !== me) {
      this.send({ type: 'message-delivered', messageId: message.id });
      this.announce(`New message from ${message.sender.name}: ${message.body}`);
    }
    if (this.open?.conversation.id === conversation.id) {
      this.open.conversation = conversation;
      if (!this.open.messages.some((m) => m.id === message.id)) this.open.messages.push(message);
      if (message.sender.personId !== me && document.visibilityState === 'visible')
        this.send({ type: 'message-read', messageId: message.id });
    }
    void this.refreshList();
    this.render();
  }

  /** A `receipt` frame for a message I sent. */
  receipt(frame) {
    const m = frame.message;
    if (this.open?.conversation.id === m.conversationId) {
      this.open.messages = this.open.messages.map((x) => (x.id === m.id ? m : x));
      this.render();
    }
  }

  async api(path, init = {}) {
    const response = await this.fetch(path, {
      ...init,
      headers: {
        authorization: `Bearer ${this.session?.token}`,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(body.detail || body.title || `HTTP ${response.status}`);
    return body;
  }

  async refreshList() {
    if (!this.session) return;
    try {
      this.conversations = (await this.api('/api/conversations')).items;
    } catch (err) {
      this.status = `Messages could not be loaded: ${err.message}`;
    }
    this.updateButton();
    if (this.route === 'messages') this.render();
  }

  async openConversation(id) {
    try {
      this.open = await this.api(`/api/conversations/${id}`);
      const mrn = this.open.conversation.patient?.mrn;
      this.open.links = mrn ? await fetchEhrLinks(mrn, this.session?.token) : [];
      const me = this.session?.person?.id;
      for (const m of this.open.messages) {
        const mine = m.receipts.find((r) => r.personId === me);
        if (mine && mine.state !== 'read') this.send({ type: 'message-read', messageId: m.id });
      }
      this.status = '';
    } catch (err) {
      this.open = null;
      this.status = err.message;
    }
    this.render();
    void this.refreshList();
  }

  updateButton() {
    const unread = this.conversations.reduce((n, c) => n + c.unread, 0);
    this.button.textContent = unread ? `Messages (${unread})` : 'Messages';
  }

  render() {
    if (this.section.hidden) return;
    if (this.route === 'compose') return replaceContent(this.section, ...this.composer());
    if (this.route?.startsWith('conversation-')) return replaceContent(this.section, ...this.thread());
    return replaceContent(this.section, ...this.list());
  }

  list() {
    return [
      h('p', {}, h('a', { href: '#', text: '‹ Alerts' })),
      h('div', { class: 'alerts-head' }, h('h1', { tabindex: '-1', text: 'Messages' })),
      h('p', {}, h('a', { href: '#compose', class: 'bar-button', text: 'New message' })),
      this.status && h('p', { class: 'form-error', role: 'alert', text: this.status }),
      this.conversations.length === 0 && h('p', { class: 'empty', text: 'No conversations yet.' }),
      h(
        'ul',
        { class: 'alert-list', 'aria-label': 'Conversations, most recent first' },
        this.conversations.map((c) =>
          h(
            'li',
            { dataset: { id: String(c.conversation.id) } },
            h(
              'a',
              { href: `#conversation-${c.conversation.id}`, class: 'conversation-link' },
              h('strong', { text: c.conversation.subject }),
              c.unread ? h('span', { class: 'unread-badge', text: `${c.unread} unread` }) : null,
              c.conversation.patient
                ? h('span', { class: 'muted', text: ` · ${c.conversation.patient.name ?? ''}` })
                : null,
              c.last ? h('p', { class: 'muted', text: `${c.last.sender.name}: ${c.last.body}` }) : null,
            ),
          ),
        ),
      ),
    ];
  }

  thread() {
    if (!this.open) return [h('p', { class: 'empty', text: this.status || 'Loading…' })];
    const me = this.session?.person?.id;
    const { conversation, messages } = this.open;
    const reply = h('textarea', { id: 'reply-body', 'aria-label': 'Reply', rows: '3', required: true });
    const form = h(
      'form',
      {
        class: 'reply-form',
        onsubmit: async (event) => {
          event.preventDefault();
          const body = reply.value.trim();
          if (!body) return;
          try {
            await this.api(`/api/conversations/${conversation.id}/messages`, {
              method: 'POST',
              body: JSON.stringify({ body }),
            });
            reply.value = '';
            await this.openConversation(conversation.id);
          } catch (err) {
            this.status = `Not sent: ${err.message}`;
            this.render();
          }
        },
      },
      reply,
      h('button', { type: 'submit', class: 'primary', text: 'Send reply' }),
    );
    return [
      h('p', {}, h('a', { href: '#messages', text: '‹ Messages' })),
      h('h1', { id: 'conversation-title', tabindex: '-1', text: conversation.subject }),
      conversation.patient &&
        h('p', {
          class: 'muted',
          text: `${conversation.patient.name ?? conversation.patient.mrn} · ${conversation.patient.where ?? ''}`,
        }),
      this.open.links?.length ? ehrLinks(this.open.links) : null,
      h(
        'p',
        { class: 'muted' },
        `With ${conversation.members
          .filter((m) => m.personId !== me)
          .map((m) => `${m.name} (${m.reason})`)
          .join(', ')}`,
      ),
      h(
        'ol',
        { class: 'messages-thread', 'aria-label': 'Messages, oldest first' },
        messages.map((m) =>
          h(
            'li',
            { class: m.sender.personId === me ? 'mine' : 'theirs', dataset: { priority: m.priority } },
            h('p', {
              class: 'muted',
              text: `${m.sender.name} · ${time(m.sentAt)}${m.priority !== 'normal' ? ` · ${m.priority}` : ''}`,
            }),
            h('p', { class: 'message-body', text: m.body }),
            receiptWords(m, me) && h('p', { class: 'receipts muted', text: receiptWords(m, me) }),
          ),
        ),
      ),
      this.status && h('p', { class: 'form-error', role: 'alert', text: this.status }),
      // A notice from Switchboard (a handoff) has nobody to read a reply.
      conversation.replies === false
        ? h('p', { class: 'muted', text: 'A notice from Switchboard: it takes no replies.' })
        : form,
    ];
  }

  composer() {
    const d = this.draft;
    const recipientInput = h('input', {
      id: 'recipient-search',
      autocomplete: 'off',
      placeholder: 'A name, "cardiology", a group…',
      dataset: { focusKey: 'recipient' },
      value: d.query ?? '',
      oninput: (e) => this.search('recipients', e.target.value),
    });
    const patientInput = h('input', {
      id: 'patient-search',
      autocomplete: 'off',
      placeholder: 'Name or MRN of a patient in the hospital',
      dataset: { focusKey: 'patient' },
      value: d.patientQuery ?? '',
      oninput: (e) => this.search('patients', e.target.value),
    });
    const choose = (to, label) => {
      d.to = { ...to, label };
      this.render();
    };
    const options = [];
    for (const p of d.found?.people ?? [])
      options.push(['person', `${p.name}${p.title ? `, ${p.title}` : ''}`, { kind: 'person', id: p.id }]);
    for (const a of d.found?.assignments ?? []) {
      const who = a.onCallNow.length
        ? a.onCallNow
            .map((e) => `${e.name} (${['first', 'second', 'third'][e.callOrder - 1] ?? e.callOrder} call)`)
            .join(', ')
        : 'nobody on call now';
      options.push(['assignment', `On call for ${a.name}: ${who}`, { kind: 'onCall', assignment: a.id }]);
    }
    for (const g of d.found?.groups ?? [])
      options.push(['group', `${g.name} (group)`, { kind: 'group', id: g.id }]);
    if (d.patient) {
      options.push(['care team', `Attending for ${d.patient.name}`, { kind: 'careTeam', role: 'attending' }]);
      options.push([
        'coverage',
        `Nurse covering ${d.patient.name} (${d.patient.where})`,
        { kind: 'coverage', role: 'nurse' },
      ]);
    }
    const body = h('textarea', {
      id: 'message-body',
      rows: '4',
      dataset: { focusKey: 'body' },
      oninput: (e) => {
        d.body = e.target.value;
      },
    });
    body.value = d.body;
    return [
      h('p', {}, h('a', { href: '#messages', text: '‹ Messages' })),
      h('h1', { id: 'compose-title', tabindex: '-1', text: 'New message' }),
      h(
        'form',
        {
          class: 'compose-form',
          novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            void this.submit();
          },
        },
        h('label', { for: 'patient-search', text: 'Patient (optional)' }),
        patientInput,
        d.patient
          ? h('p', {
              class: 'chosen',
              text: `Patient: ${d.patient.name} (${d.patient.mrn}) ${d.patient.where}`,
            })
          : h(
              'ul',
              { class: 'picker', 'aria-label': 'Patients' },
              (d.patients ?? []).map((p) =>
                h(
                  'li',
                  {},
                  h('button', {
                    type: 'button',
                    text: `${p.name} · ${p.mrn} · ${p.where}`,
                    onclick: () => {
                      d.patient = p;
                      this.render();
                    },
                  }),
                ),
              ),
            ),
        h('label', { for: 'recipient-search', text: 'To' }),
        recipientInput,
        d.to ? h('p', { class: 'chosen', text: `To: ${d.to.label}` }) : null,
        h(
          'ul',
          { class: 'picker', 'aria-label': 'Recipients' },
          options.map(([kind, label, to]) =>
            h(
              'li',
              { dataset: { kind } },
              h('button', { type: 'button', text: label, onclick: () => choose(to, label) }),
            ),
          ),
        ),
        h('label', { for: 'message-body', text: 'Message' }),
        body,
        h('label', { for: 'message-priority', text: 'Priority' }),
        h(
          'select',
          {
            id: 'message-priority',
            onchange: (e) => {
              d.priority = e.target.value;
            },
          },
          PRIORITIES.map(([value, label]) =>
            h('option', { value, selected: value === d.priority, text: label }),
          ),
        ),
        this.status && h('p', { class: 'form-error', role: 'alert', text: this.status }),
        h('button', { type: 'submit', class: 'primary', text: 'Send' }),
      ),
    ];
  }

  search(kind, text) {
    const d = this.draft;
    if (kind === 'recipients') d.query = text;
    else {
      d.patientQuery = text;
      d.patient = null;
    }
    clearTimeout(this.searchTimer);
    if (!text.trim()) return;
    // One request per pause in typing, not per key.
    this.searchTimer = setTimeout(async () => {
      try {
        const q = encodeURIComponent(text.trim());
        if (kind === 'recipients') d.found = await this.api(`/api/recipients?q=${q}`);
        else d.patients = (await this.api(`/api/patients?q=${q}`)).patients;
        this.status = '';
      } catch (err) {
        this.status = err.message;
      }
      this.render();
    }, 150);
  }

  async submit() {
    const d = this.draft;
    if (!d.to) {
      this.status = 'Choose whom to send it to.';
      return this.render();
    }
    if (!d.body.trim()) {
      this.status = 'Write a message.';
      return this.render();
    }
    const { label: _label, ...to } = d.to;
    try {
      const sent = await this.api('/api/conversations', {
        method: 'POST',
        body: JSON.stringify({ to, body: d.body.trim(), priority: d.priority, patientMrn: d.patient?.mrn }),
      });
      this.draft = { to: null, patient: null, body: '', priority: 'normal', found: null, patients: null };
      this.status = '';
      this.announce(`Sent to ${sent.recipients.map((r) => `${r.name}, ${r.reason}`).join('; ')}`);
      location.hash = `#conversation-${sent.conversation.id}`;
    } catch (err) {
      this.status = `Not sent: ${err.message}`;
      this.render();
    }
  }
}
