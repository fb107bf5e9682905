/** Small builders for domain tests: catalogs and fleets as a platform team would write them. */
import { Catalog } from "../../core/catalog";
import { Fleet, fleetSchema, NodeSettings } from "../../core/fleet";

/** The catalog of the planner's acceptance example (docs/rules.md V6): newest revisions 5.0.9 / 6.0.7 / 6.3.2. */
export function exampleCatalog(): Catalog {
  return Catalog.parse({
    schemaVersion: 1,
    releases: [
      { version: "4.0", published: "2016-01-18", revisions: ["4.0.0", "4.0.6"] },
      { version: "4.3", published: "2016-12-05", revisions: ["4.3.0", "4.3.4"] },
      { version: "5.0", published: "2017-08-30", revisions: ["5.0.0", "5.0.3", "5.0.9"] },
      { version: "5.1", published: "2017-11-01", revisions: ["5.1.0"] },
      { version: "5.8", published: "2018-10-15", revisions: ["5.8.0", "5.8.1"] },
      { version: "5.9", published: "2019-01-15", revisions: ["5.9.0", "5.9.2"] },
      { version: "5.10", published: "2019-04-15", revisions: ["5.10.0"] },
      { version: "5.11", published: "2019-07-15", revisions: ["5.11.0", "5.11.2"] },
      { version: "6.0", published: "2019-11-18", revisions: ["6.0.0", "6.0.4", "6.0.5", "6.0.7"] },
      { version: "6.1", published: "2020-03-02", revisions: ["6.1.0", "6.1.1"] },
      { version: "6.2", published: "2020-06-01", revisions: ["6.2.0"] },
      { version: "6.3", published: "2020-09-01", revisions: ["6.3.0", "6.3.1", "6.3.2"] },
    ],
  });
}

/** A small catalog from 6.3 to 7.1 (firmware by URL: `/api/firmware/fetch` exists from 7.0 LTS on). */
export function catalogTo7(): Catalog {
  return Catalog.parse({
    schemaVersion: 1,
    releases: [
      { version: "6.3", published: "2020-09-01", revisions: ["6.3.2"] },
      { version: "7.0", published: "2022-06-01", revisions: ["7.0.3"] },
      { version: "7.1", published: "2022-12-01", revisions: ["7.1.1"] },
    ],
  });
}

/** Validate a fleet written in a test (the same boundary as the fleet file). */
export function fleet(input: unknown): Fleet {
  return fleetSchema.parse(input);
}

/** All preflight facts declared and passing, so tests see only the finding they provoke. */
export const CLEAN_SETTINGS: NodeSettings = {
  healthOk: true,
  coreDumps: 0,
  haStatus: "HA",
  ipmiReachable: true,
  vmSnapshot: true,
  consoleRedirection: true,
  starlingJoined: false,
  diskFillupLimitPercent: 90,
  ldapAuth: false,
  removedFeaturesInUse: [],
  sha1LdapCertificates: false,
  nonRfc5890Hostnames: [],
  windowsDomainMember: false,
};

export const AS_OF = "2020-10-01";
