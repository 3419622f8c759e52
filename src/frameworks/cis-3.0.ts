import { cisIamControls } from './cis-aws-iam-section.js';
import { defineFramework } from './framework.js';

/** CIS Amazon Web Services Foundations Benchmark v3.0.0, IAM section only (the rest is outside IAM data). */
export const cis30 = defineFramework({
  id: 'cis-3.0',
  name: 'CIS Amazon Web Services Foundations Benchmark',
  version: '3.0.0',
  shortName: 'CIS v3.0.0',
  controls: cisIamControls('3.0.0'),
});
