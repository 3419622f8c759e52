import { defineRule } from './rule.js';
import { accountResource, ageAt, describeAgeMs, finding, unmeasurable, missingReason, notApplicable, notEvaluated, SOURCES } from './support/judging.js';
import { daysAgo, serverCertificate, snapshotWith } from './testing.js';

/** The certificate's expiry instant (expired or not follows from the evaluation time). */
type ExpiryFacts = { readonly expiresAt: string };

export const expiredServerCertificates = defineRule({
  id: 'expired-server-certificates',
  title: 'No expired SSL/TLS server certificates are stored in IAM',
  severity: 'medium',
  rationale:
    'An expired certificate left in IAM can be deployed by mistake to a load balancer or CloudFront, breaking the service and its users\' trust. Deleting expired certificates removes that risk.',
  remediation: {
    console: ['IAM server certificates have no console page; use the CLI.'],
    cli: 'aws iam list-server-certificates; aws iam delete-server-certificate --server-certificate-name NAME',
  },
  requires: ['account.serverCertificates'],
  defaultOptions: {},
  judgeAccount(snapshot, context) {
    const certificates = snapshot.accountFacts.serverCertificates;
    if (!certificates.known) return [notEvaluated(accountResource(snapshot), missingReason('the server certificates', certificates, SOURCES.serverCertificates))];
    if (certificates.value.length === 0) return [notApplicable(accountResource(snapshot), 'no server certificates stored in IAM')];
    return certificates.value.map((certificate) => {
      const resource = { type: 'server-certificate' as const, arn: certificate.arn, name: certificate.name };
      if (!certificate.expiration.known) return notEvaluated(resource, missingReason('the expiration date', certificate.expiration, SOURCES.serverCertificates));
      const expiration = certificate.expiration.value;
      // Valid up to and including its expiration instant (X.509 notAfter is inclusive).
      const age = ageAt(expiration, context.now);
      if (!age.ok) return unmeasurable(resource, 'the expiry', age);
      const expired = age.ms > 0;
      return finding(resource, expired ? 'fail' : 'pass', { expiresAt: expiration });
    });
  },
  describe(facts: ExpiryFacts, context) {
    // Valid up to and including its expiration instant, as judged.
    const age = ageAt(facts.expiresAt, context.now);
    if (!age.ok) return age.problem;
    return `expires ${facts.expiresAt} (${age.ms > 0 ? `expired ${describeAgeMs(age.ms)}` : `still valid, ${describeAgeMs(age.ms)}`})`;
  },
  tests: [
    {
      name: 'expired, expiring exactly now, and valid certificates',
      snapshot: () =>
        snapshotWith({
          source: 'aws-api',
          accountFacts: {
            serverCertificates: {
              known: true,
              value: [serverCertificate('old', daysAgo(1)), serverCertificate('now', daysAgo(0)), serverCertificate('second-ago', daysAgo(0, 1)), serverCertificate('valid', daysAgo(-30))],
            },
          },
        }),
      expect: { old: 'fail', now: 'pass', 'second-ago': 'fail', valid: 'pass' },
    },
    { name: 'no certificates is not applicable', snapshot: () => snapshotWith({ source: 'aws-api', accountFacts: { serverCertificates: { known: true, value: [] } } }), expect: { account: 'not_applicable' } },
    { name: 'credential-report import is not evaluated', snapshot: () => snapshotWith(), expect: { account: 'not_evaluated' } },
  ],
});
