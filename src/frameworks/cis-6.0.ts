import { cisIamControls } from './cis-aws-iam-section.js';
import { defineFramework } from './framework.js';

/** CIS Amazon Web Services Foundations Benchmark v6.0.0, IAM section only (the rest is outside IAM data). */
export const cis60 = defineFramework({
  id: 'cis-6.0',
  name: 'CIS Amazon Web Services Foundations Benchmark',
  version: '6.0.0',
  shortName: 'CIS v6.0.0',
  controls: cisIamControls('6.0.0'),
});
