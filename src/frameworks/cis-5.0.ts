import { cisIamControls } from './cis-aws-iam-section.js';
import { defineFramework } from './framework.js';

/** CIS Amazon Web Services Foundations Benchmark v5.0.0, IAM section only (the rest is outside IAM data). */
export const cis50 = defineFramework({
  id: 'cis-5.0',
  name: 'CIS Amazon Web Services Foundations Benchmark',
  version: '5.0.0',
  shortName: 'CIS v5.0.0',
  controls: cisIamControls('5.0.0'),
});
