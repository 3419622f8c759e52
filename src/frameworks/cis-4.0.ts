import { cisIamControls } from './cis-aws-iam-section.js';
import { defineFramework } from './framework.js';

/** CIS Amazon Web Services Foundations Benchmark v4.0.1, IAM section only (the rest is outside IAM data). */
export const cis401 = defineFramework({
  id: 'cis-4.0',
  name: 'CIS Amazon Web Services Foundations Benchmark',
  version: '4.0.1',
  shortName: 'CIS v4.0.1',
  controls: cisIamControls('4.0.1'),
});
