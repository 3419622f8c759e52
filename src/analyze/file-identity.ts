/** A file the analysis read (configuration, exceptions, owners, responses): its name and SHA-256, as results cite it. */
export interface FileIdentity {
  readonly name: string;
  readonly sha256: string;
}
