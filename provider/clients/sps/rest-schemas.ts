/**
 * zod schemas of the SPS REST responses the client reads, per the documented shapes
 * (docs/rest-api.md). Objects are `loose` (unknown fields kept): shapes vary slightly
 * between SPS versions [doc: guides 5.7 – 8.0]. Tags: [doc] guide, [ps] safeguard-ps, [inference] ours.
 */
import { z } from "zod";

/** Every response carries a `meta` object [doc §2]. */
export const MetaSchema = z.looseObject({
  href: z.string(),
  parent: z.string().nullable().optional(),
  remaining_seconds: z.number().optional(),
});

/** Error envelope [doc §2]. */
export const ErrorEnvelopeSchema = z.object({
  error: z.looseObject({ type: z.string(), details: z.unknown().optional() }),
});

/** Login answer: a meta object (and the session_id cookie) [doc §1]. */
export const AuthenticationResponseSchema = z.looseObject({ meta: MetaSchema });

/** `GET /api/setup` (unauthenticated) [ps]: "uninitialized" | … | "booting" | "completed". */
export const SetupStatusSchema = z.looseObject({ status: z.string() });

/** Slot body [doc §4]; an empty slot has `body: {}`. */
export const SlotBodySchema = z.looseObject({
  after_reboot: z.boolean().optional(),
  current: z.boolean().optional(),
  upgrade_news: z.string().nullable().optional(),
  upgrade_notes: z.string().nullable().optional(),
  version: z.string().optional(),
});

export const SlotSchema = z.looseObject({
  key: z.string(),
  body: SlotBodySchema,
  meta: MetaSchema.partial().optional(),
});

export const SlotListSchema = z.looseObject({
  items: z.array(SlotSchema),
  meta: MetaSchema.extend({
    current_slot: z.string().optional(),
    slot_after_reboot: z.string().optional(),
    number_of_empty_slots: z.number().int().optional(),
  }),
});

export const UploadFirmwareResponseSchema = z.looseObject({
  key: z.string(),
  body: SlotBodySchema,
  meta: MetaSchema.extend({
    slot: z.string().optional(),
    number_of_empty_slots: z.number().int().optional(),
  }),
});

/** Test and upgrade answers: `{key, body: {test_summary}, meta}` [doc §4]. */
export const TestSummaryResponseSchema = z.looseObject({
  key: z.string(),
  body: z.looseObject({ test_summary: z.string() }),
  meta: MetaSchema.partial().optional(),
});

/**
 * A running firmware version as the appliance reports it: `X.Y.Z` and nothing else ([doc] SPS REST API
 * guide, "/api/info": `firmware_version: "5.7.0"`). Anything else — text, control characters, a suffix —
 * makes the answer unreadable: a version that is not a version is never taken as the running one.
 */
export const FirmwareVersionSchema = z
  .string()
  .regex(/^\d{1,3}\.\d{1,3}\.\d{1,4}$/, { error: "is not a firmware version X.Y.Z" });

/** `GET /api/info` [doc §11]; authenticated callers also get firmware_version, roles, version. */
export const InfoResponseSchema = z.looseObject({
  key: z.string().optional(),
  body: z.looseObject({
    hostname: z.string().optional(),
    nickname: z.string().optional(),
    domainname: z.string().optional(),
    firmware_version: FirmwareVersionSchema.optional(),
    version: z.string().optional(),
    roles: z.array(z.string()).optional(),
    build_date: z.string().optional(),
    plugin_sdk_version: z.looseObject({ feature: z.string(), full: z.string() }).optional(),
  }),
  meta: MetaSchema.partial().optional(),
});

/** `GET /api/health_status` [doc §11] (only the fields the client reads are required to have a type). */
export const HealthResponseSchema = z.looseObject({
  health_status: z.looseObject({
    cpu: z.number().optional(),
    disk: z.number().optional(),
    memory: z.number().optional(),
    swap: z.number().optional(),
    load1: z.number().optional(),
    load5: z.number().optional(),
    load15: z.number().optional(),
    firmware: z
      .looseObject({
        tainted_files: z.record(z.string(), z.number()).optional(),
        integrity: z.record(z.string(), z.string()).optional(),
      })
      .optional(),
    raid: z.looseObject({ status: z.looseObject({ status: z.string().optional() }).optional() }).optional(),
    sessions_total: z.number().optional(),
  }),
});

/** `GET /api/configuration/management/license` [doc: endpoint; fields not captured — inference: any object body]. */
export const LicenseResponseSchema = z.looseObject({
  body: z.record(z.string(), z.unknown()),
  meta: MetaSchema.partial().optional(),
});

/** `GET|PUT /api/configuration/management/disk_fillup_prevention` [doc §15]. */
export const DiskFillupBodySchema = z.looseObject({
  enabled: z.boolean(),
  archiving_enabled: z.boolean(),
  used_space_ratio_limit: z.number().int(),
});
export const DiskFillupResponseSchema = z.looseObject({
  body: DiskFillupBodySchema,
  meta: MetaSchema.partial().optional(),
});

/** `GET /api/transaction` [doc §3]: 8.0 shape `body: {status, commit_message}`; older `transaction: {status}`. */
export const TransactionResponseSchema = z.looseObject({
  body: z.looseObject({ status: z.string(), commit_message: z.string().optional() }).optional(),
  transaction: z.looseObject({ status: z.string() }).optional(),
  meta: MetaSchema.partial().optional(),
});

/** `GET /api/cluster/status` [doc §7]; `health_status: null` means the node is down. */
export const ClusterStatusResponseSchema = z.looseObject({
  items: z.array(
    z.looseObject({
      key: z.string(),
      fqdn: z.string().optional(),
      last_seen: z.string().optional(),
      health_status: z.record(z.string(), z.unknown()).nullable().optional(),
      sync_status: z.string().optional(),
    }),
  ),
  meta: MetaSchema.extend({ self: z.string().optional() }).partial(),
});

const ClusterNodeBodySchema = z.looseObject({ address: z.string().optional(), roles: z.array(z.string()) });

/** `GET /api/cluster/nodes` [doc §7: nodes/<id> with {roles, address}; list shape inference]. */
export const ClusterNodesResponseSchema = z.looseObject({
  items: z.array(z.looseObject({ key: z.string(), body: ClusterNodeBodySchema.optional() })),
});

/** Plugin object `{key, body: {name, description, version, path, api}}` [doc §9]. */
export const PluginBodySchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  path: z.string().optional(),
  api: z.string().optional(),
});

export const PluginUploadResponseSchema = z.looseObject({
  key: z.string(),
  body: PluginBodySchema,
  meta: MetaSchema,
});

/** `GET /api/configuration/plugins` index [doc §9] and per-type lists [inference: items with key/body]. */
export const IndexResponseSchema = z.looseObject({ items: z.array(z.looseObject({ key: z.string() })) });
export const PluginListResponseSchema = z.looseObject({
  items: z.array(z.looseObject({ key: z.string(), body: PluginBodySchema.optional() })),
});

/**
 * A reference to another configuration object [doc: 7.5 REST guide "Change an object"]: read as
 * `{key, meta: {href}}`, written back as the key string. Older answers (and our own writes echoed)
 * may carry the bare key string; both are accepted on read.
 */
export const ReferenceSchema = z.union([
  z.string(),
  z.looseObject({ key: z.string(), meta: z.looseObject({ href: z.string().optional() }).optional() }),
]);
export type Reference = z.infer<typeof ReferenceSchema>;

/**
 * `GET /api/configuration/local_services/cluster` [doc §7]: `{enabled, listen_address: <reference to a
 * NIC address>}`.
 */
export const ClusterInterfaceResponseSchema = z.looseObject({
  body: z.looseObject({ enabled: z.boolean(), listen_address: ReferenceSchema.nullable().optional() }),
  meta: MetaSchema.partial().optional(),
});

/** An ordered map: `"@order": [ids]` beside id-keyed members [ps: sessionjoin.psm1 Get-NicRefForIp]. */
const orderedMap = <T extends z.ZodType>(member: T) =>
  z.record(z.string(), z.unknown()).transform((raw, ctx) => {
    const order = raw["@order"];
    if (!Array.isArray(order) || order.some((k) => typeof k !== "string")) {
      ctx.addIssue({ code: "custom", message: `"@order" must be a list of keys` });
      return z.NEVER;
    }
    const out: Array<{ id: string; value: z.output<T> }> = [];
    for (const id of order as string[]) {
      const parsed = member.safeParse(raw[id]);
      if (!parsed.success) {
        ctx.addIssue({ code: "custom", message: `member ${id}: ${parsed.error.message}` });
        return z.NEVER;
      }
      out.push({ id, value: parsed.data });
    }
    return out;
  });

/**
 * `GET /api/configuration/network/nics/<nic>` [ps: Get-NicRefForIp reads `body.interfaces` — ordered
 * map of interfaces, each with an ordered map `addresses` of "ip/prefix" strings].
 */
export const NicResponseSchema = z.looseObject({
  body: z.looseObject({
    interfaces: orderedMap(z.looseObject({ addresses: orderedMap(z.string()) })),
  }),
});

/**
 * A support-bundle job `{key, body: {status}}` [doc 8.0 LTS REST guide, "Generating SPS support bundle
 * using REST"]; [ps] `Get-SafeguardSpsSupportBundle` reads `key` from the POST answer and polls
 * `body.status` until "finished". Other status values and fields are [unknown].
 */
export const SupportBundleJobSchema = z.looseObject({
  key: z.string().min(1),
  body: z.looseObject({ status: z.string() }).optional(),
});

/**
 * A firmware download `{key, body: {status}}` [doc 7.0 LTS REST guide, `/api/firmware/fetch`]: status
 * queued | in-progress | finished | failed | cancelled. Where the image lands (`slot`) and the failure text
 * (`error`) are [unknown] (the emulator's fields, read when present).
 */
export const FirmwareFetchSchema = z.looseObject({
  key: z.string().min(1),
  body: z
    .looseObject({
      status: z.string(),
      slot: z.string().optional(),
      error: z.string().optional(),
      checksum: z.looseObject({ sha256: z.string().optional() }).optional(),
    })
    .optional(),
});
