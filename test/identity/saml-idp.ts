/**
 * A SAML identity provider the test builds: its own key and certificate (from the test CA), Responses
 * written as the SAML 2.0 core spec lays them out, the assertion signed with xml-crypto. Each field can be
 * bent to make the bad responses a test needs (unsigned, another audience, expired, unsolicited).
 */
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

export interface IdpKeys {
  cert: string;
  key: string;
}

export interface AssertionSpec {
  idpEntityId: string;
  audience: string;
  recipient: string;
  nameId: string;
  inResponseTo?: string;
  attributes?: Record<string, string[]>;
  /** Seconds from now the assertion stops being valid (negative: already expired). */
  validForSeconds?: number;
  sign?: boolean;
}

/** The request id of the AuthnRequest in a redirect URL's SAMLRequest (deflated, base64). */
export function requestIdOf(redirect: string): string {
  const request = new URL(redirect).searchParams.get('SAMLRequest') ?? '';
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`no ID in ${xml}`);
  return id;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A base64 SAMLResponse as the IdP would post it. */
export function samlResponse(keys: IdpKeys, spec: AssertionSpec): string {
  const now = Date.now();
  const until = iso(now + (spec.validForSeconds ?? 300) * 1000);
  const notBefore = iso(now - 60_000 + Math.min(0, (spec.validForSeconds ?? 0) * 1000) * 2);
  const assertionId = `_a${randomBytes(16).toString('hex')}`;
  const inResponseTo = spec.inResponseTo ? ` InResponseTo="${spec.inResponseTo}"` : '';
  const attributes = Object.entries(spec.attributes ?? {})
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    )
    .join('');
  const assertion = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${spec.idpEntityId}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${spec.nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${inResponseTo} NotOnOrAfter="${until}" Recipient="${spec.recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${spec.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s${assertionId}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attributes}</saml:AttributeStatement></saml:Assertion>`;
  const signed = spec.sign === false ? assertion : sign(assertion, keys);
  const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${iso(now)}" Destination="${spec.recipient}"${inResponseTo}><saml:Issuer>${spec.idpEntityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${signed}</samlp:Response>`;
  return Buffer.from(response).toString('base64');
}

function sign(assertion: string, keys: IdpKeys): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(assertion, {
    location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}
