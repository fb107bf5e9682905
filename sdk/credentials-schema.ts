/** The zod schema of the `sps:credentials` document (./credentials.ts), apart for the reason core/same-type.ts gives. */
import { z } from "zod";
import type { Equal, Same } from "../core/same-type";
import type { Credentials, CredentialsInput } from "./credentials";

const login = z.object({ username: z.string().min(1), password: z.string().min(1) }).strict();

const sshLogin = z
  .strictObject({
    username: z.string().min(1),
    password: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional(),
    passphrase: z.string().optional(),
    sudoPassword: z.string().min(1).optional(),
  })
  .refine((s) => s.password !== undefined || s.privateKey !== undefined, {
    message: "needs `password` or `privateKey`",
  });

export const credentialsSchema = z.strictObject({
  appliance: login.optional(),
  nodes: z.record(z.string(), login).default({}),
  coreShell: sshLogin.optional(),
  ipmi: login.optional(),
  /**
   * Per-BMC logins where the BMCs do not share one: node name → HA unit (as in the node's `bmc`) →
   * login, e.g. `{"sps-ha": {"a": {…}, "b": {…}}}`; a unit without an entry uses `ipmi`.
   */
  bmc: z
    .record(
      z.string(),
      z.record(z.string(), login).superRefine((units, ctx) => {
        for (const unit of Object.keys(units))
          if (!/^[A-Za-z0-9]{1,16}$/.test(unit))
            ctx.addIssue({
              code: "custom",
              path: [unit],
              message: "must be an HA unit name as in the node's bmc (letters and digits), e.g. a",
            });
      }),
    )
    .default({}),
  indexer: sshLogin.optional(),
  indexerHosts: z.record(z.string(), sshLogin).default({}),
  licenses: z.record(z.string(), z.string().min(1)).default({}),
});

export type CredentialsSchemaIsCredentials = Same<Equal<z.output<typeof credentialsSchema>, Credentials>>;
export type CredentialsSchemaTakesCredentialsInput = Same<
  Equal<z.input<typeof credentialsSchema>, CredentialsInput>
>;
