/**
 * Firmware by URL (docs/design-notes.md#firmware-by-url): the image schema at the boundary (S3: sha256 required; https only;
 * path xor url; url only for 7.0 and later), the redaction of URL secrets, and the plan's fetch-firmware
 * step (host only) with the V7 finding for a node that still runs < 7.0 when the fetch would run.
 */
import { strict as assert } from "node:assert";
import { Catalog } from "../../../core/catalog";
import { fleetSchema } from "../../../core/fleet";
import { planCluster } from "../../../core/fleet-plan";
import {
  firmwareSourceSchema,
  firmwareSourcesSchema,
  redactUrl,
  revisionCanFetch,
  urlHost,
} from "../../../core/firmware-source";
import { plannedActionLines } from "../../../sdk/plan-lines";
import { formatPlan } from "../../../cli/format-plan";
import { AS_OF, CLEAN_SETTINGS } from "../../support/domain-fixtures";

const SHA = "a".repeat(64);
const SECRET_URL =
  "https://robot:s3cr3t-pw@downloads.example.com:8443/isos/sps-7.1.1.iso?X-Token=tok-9f8e7d6c";

function catalog(): Catalog {
  return Catalog.parse({
    schemaVersion: 1,
    releases: [
      { version: "6.0", published: "2019-11-18", revisions: ["6.0.7"] },
      { version: "6.3", published: "2020-09-01", revisions: ["6.3.2"] },
      { version: "7.0", published: "2022-06-01", revisions: ["7.0.3"] },
      { version: "7.1", published: "2022-12-01", revisions: ["7.1.1"] },
    ],
  });
}

function issues(
  schema: {
    safeParse(v: unknown): {
      success: boolean;
      error?: { issues: Array<{ path: PropertyKey[]; message: string }> };
    };
  },
  v: unknown,
): string[] {
  const r = schema.safeParse(v);
  assert.equal(r.success, false, "expected a schema error");
  return r.error!.issues.map((i) => `${i.path.map(String).join(".")}: ${i.message}`);
}

describe("firmware by URL: the image schema (S3)", () => {
  it("accepts {path, sha256} (upload, the default) and {url, sha256} with userinfo and a query", () => {
    assert.deepEqual(firmwareSourceSchema.parse({ path: "/iso/sps.iso", sha256: SHA }), {
      path: "/iso/sps.iso",
      sha256: SHA,
    });
    assert.deepEqual(firmwareSourceSchema.parse({ url: SECRET_URL, sha256: SHA }), {
      url: SECRET_URL,
      sha256: SHA,
    });
  });

  it("S3: sha256 is required for a url too, and must be 64 hex digits", () => {
    assert.match(
      issues(firmwareSourceSchema, { url: "https://d.example.com/a.iso" }).join("\n"),
      /^sha256: is required.*S3/m,
    );
    assert.match(
      issues(firmwareSourceSchema, { url: "https://d.example.com/a.iso", sha256: "abc" }).join("\n"),
      /^sha256: must be a SHA-256 checksum/m,
    );
  });

  it("refuses http, ftp and non-URLs, naming url and the fix; the message names the host, never the userinfo", () => {
    const http = issues(firmwareSourceSchema, {
      url: "http://robot:pw1234@d.example.com/a.iso",
      sha256: SHA,
    }).join("\n");
    assert.match(
      http,
      /^url: must be an https:\/\/ URL \(got http:\/\/d\.example\.com\).*\[unknown\].*give a local path/m,
    );
    assert.doesNotMatch(http, /pw1234|robot/);
    assert.match(
      issues(firmwareSourceSchema, { url: "ftp://d.example.com/a.iso", sha256: SHA }).join("\n"),
      /^url: must be an https/m,
    );
    assert.match(
      issues(firmwareSourceSchema, { url: "downloads/sps.iso", sha256: SHA }).join("\n"),
      /^url: is not a URL/m,
    );
  });

  it("refuses neither and both of path and url", () => {
    assert.match(issues(firmwareSourceSchema, { sha256: SHA }).join("\n"), /needs a path .* or a url/);
    assert.match(
      issues(firmwareSourceSchema, { path: "/a.iso", url: "https://d.example.com/a.iso", sha256: SHA }).join(
        "\n",
      ),
      /^url: give either path \(upload\) or url \(fetch by the appliance\), not both/m,
    );
  });

  it("a url for a revision below 7.0 is an error naming the revision's field and saying to use path ([doc] 7.0 LTS)", () => {
    const msg = issues(firmwareSourcesSchema, {
      "6.3.2": { url: "https://d.example.com/a.iso", sha256: SHA },
    }).join("\n");
    assert.match(
      msg,
      /^6\.3\.2\.url: firmware 6\.3\.2 cannot be fetched by URL: .*7\.0 LTS.*firmware\["6\.3\.2"\]\.path/m,
    );
    assert.ok(
      firmwareSourcesSchema.safeParse({ "7.0.3": { url: "https://d.example.com/a.iso", sha256: SHA } })
        .success,
    );
    assert.equal(revisionCanFetch("6.6.0"), false);
    assert.equal(revisionCanFetch("7.0.0"), true);
    // The fleet file (plan-contract's format, extended) applies the same rule, with the field path.
    const f = fleetSchema.safeParse({
      clusters: [
        {
          name: "c",
          target: "6.3",
          nodes: [{ name: "n", version: "6.0.7" }],
          firmware: { "6.3.2": { url: "https://d.example.com/a.iso", sha256: SHA } },
        },
      ],
    });
    assert.equal(f.success, false);
    assert.deepEqual(f.error.issues[0].path, ["clusters", 0, "firmware", "6.3.2", "url"]);
  });
});

describe("firmware by URL: only the host is ever shown", () => {
  it("urlHost keeps the host and port, nothing else", () => {
    assert.equal(urlHost(SECRET_URL), "downloads.example.com:8443");
    assert.equal(urlHost("not a url"), "(invalid URL)");
  });

  it("redactUrl removes the URL, its userinfo and its query values from any text", () => {
    const text = `GET ${SECRET_URL} failed: 401 for user robot (password s3cr3t-pw), token tok-9f8e7d6c, query X-Token=tok-9f8e7d6c`;
    const out = redactUrl(text, SECRET_URL);
    for (const secret of ["s3cr3t-pw", "tok-9f8e7d6c", "robot", "/isos/sps-7.1.1.iso"])
      assert.ok(!out.includes(secret), `${secret} in ${out}`);
    assert.match(out, /GET https:\/\/downloads\.example\.com:8443\/… failed/);
  });

  it("redactUrl: a short password, a short query value and a path token never appear; any URL is printed as https://host/…", () => {
    const url = "https://u:pw@mirror.example.com/dl/SECRETPATHTOKEN/sps.iso?sig=abc";
    const text = `fetch ${url} failed: 401 (user u, password pw, sig=abc); redirected to https://u:pw@cdn.example.com/dl/SECRETPATHTOKEN/sps.iso?sig=abc; path /dl/SECRETPATHTOKEN/sps.iso`;
    const out = redactUrl(text, url);
    for (const secret of ["SECRETPATHTOKEN", "abc", "u:pw", " pw", "sig=abc"])
      assert.ok(!out.includes(secret), `${secret} in ${out}`);
    assert.match(out, /^fetch https:\/\/mirror\.example\.com\/… failed/);
    assert.match(out, /redirected to https:\/\/cdn\.example\.com\/…;/);
    // Ordinary words around the secrets are kept.
    assert.match(out, /failed: 401 \(user \*\*\*, password \*\*\*, \*\*\*\)/);
  });
});

describe("firmware by URL: the plan (plan-contract, extended: fetch-firmware with host)", () => {
  function planFor(version: string, target: string, firmware: Record<string, unknown>) {
    const f = fleetSchema.parse({
      clusters: [
        {
          name: "c",
          target,
          nodes: [{ name: "sps1", version, settings: { ...CLEAN_SETTINGS, haStatus: "Standalone" } }],
          firmware,
        },
      ],
    });
    return planCluster(f.clusters[0], catalog(), { asOf: AS_OF });
  }

  it("a 7.x node with a url image gets fetch-firmware (host only, no credentials or query) instead of upload-firmware", () => {
    const p = planFor("7.0.3", "7.1", { "7.1.1": { url: SECRET_URL, sha256: SHA } });
    const fetch = p.steps.filter((s) => s.action === "fetch-firmware");
    assert.equal(fetch.length, 1);
    assert.equal(fetch[0].host, "downloads.example.com:8443");
    assert.equal(fetch[0].version, "7.1.1");
    assert.equal(p.steps.filter((s) => s.action === "upload-firmware").length, 0);
    // Then the same test (P12) and activation as after an upload.
    const actions = p.steps.map((s) => s.action);
    assert.deepEqual(
      actions.slice(actions.indexOf("fetch-firmware"), actions.indexOf("fetch-firmware") + 3),
      ["fetch-firmware", "test-firmware", "activate-firmware"],
    );
    assert.ok(
      p.findings.every((f) => f.severity !== "error"),
      JSON.stringify(p.findings),
    );
    const json = JSON.stringify(p);
    for (const secret of ["s3cr3t-pw", "robot", "tok-9f8e7d6c", "X-Token", "/isos/"])
      assert.ok(!json.includes(secret), secret);
    // Preview lines and the CLI text name the host.
    assert.ok(
      plannedActionLines(p).some((l) =>
        /sps1: fetch-firmware 7\.1\.1 from downloads\.example\.com:8443$/.test(l),
      ),
    );
    assert.match(formatPlan({ clusters: [p] }), /fetch-firmware\(downloads\.example\.com:8443\)/);
  });

  it("a path image keeps upload-firmware (the default)", () => {
    const p = planFor("7.0.3", "7.1", { "7.1.1": { path: "/iso/sps-7.1.1.iso", sha256: SHA } });
    assert.equal(p.steps.filter((s) => s.action === "upload-firmware").length, 1);
    assert.equal(p.steps.filter((s) => s.action === "fetch-firmware").length, 0);
    assert.ok(p.steps.every((s) => s.host === undefined));
  });

  it("V7: a url-only 7.0.3 image for a node that runs 6.3.2 during that hop is a blocking finding saying to use path", () => {
    const p = planFor("6.3.2", "7.0", { "7.0.3": { url: "https://d.example.com/sps.iso", sha256: SHA } });
    const f = p.findings.find((x) => x.rule === "V7");
    assert.ok(f, JSON.stringify(p.findings));
    assert.equal(f.severity, "error");
    assert.equal(f.node, "sps1");
    assert.match(
      f.message,
      /firmware\["7\.0\.3"\] has only a url, but sps1 runs 6\.3\.2 .*7\.0 LTS.*firmware\["7\.0\.3"\]\.path/,
    );
  });
});
