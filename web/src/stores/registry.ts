// Data the registry pages share: the org units in the user's scope and the national code tables.
import { defineStore } from "pinia";
import { computed, ref, watch } from "vue";
import { script } from "../i18n";
import { listCodeTablesApi, listOrgUnitsApi } from "../api/endpoints";
import type { CodeTable, OrgUnit } from "../api/types";

export interface OrgNode extends OrgUnit {
  children?: OrgNode[];
}

export const useRegistryStore = defineStore("registry", () => {
  const orgs = ref<OrgUnit[]>([]);
  const codeTables = ref<Record<string, CodeTable>>({});
  let orgsLoaded: Promise<void> | null = null;
  let codesLoaded: Promise<void> | null = null;

  function loadOrgs(force = false): Promise<void> {
    if (!orgsLoaded || force) {
      orgsLoaded = listOrgUnitsApi().then((list) => {
        orgs.value = list;
      });
      orgsLoaded.catch(() => (orgsLoaded = null));
    }
    return orgsLoaded;
  }

  function loadCodes(force = false): Promise<void> {
    if (!codesLoaded || force) {
      codesLoaded = listCodeTablesApi().then((list) => {
        const map: Record<string, CodeTable> = {};
        for (const table of list) map[table.key] = table;
        codeTables.value = map;
      });
      codesLoaded.catch(() => (codesLoaded = null));
    }
    return codesLoaded;
  }

  /** The org units as a forest (roots are those whose parent is outside the scope). */
  const orgTree = computed<OrgNode[]>(() => {
    const byId = new Map<number, OrgNode>();
    for (const o of orgs.value) byId.set(o.id, { ...o });
    const roots: OrgNode[] = [];
    for (const node of byId.values()) {
      const parent = byId.get(node.parent_id);
      if (parent) (parent.children ??= []).push(node);
      else roots.push(node);
    }
    return roots;
  });

  const orgById = computed(() => new Map(orgs.value.map((o) => [o.id, o])));
  const communities = computed(() => orgs.value.filter((o) => o.level === "community"));

  function reset() {
    orgs.value = [];
    orgsLoaded = null;
    codesLoaded = null;
  }
  // Names and labels come converted from the server: load them again in the other script.
  watch(script, () => {
    orgsLoaded = null;
    codesLoaded = null;
    loadOrgs().catch(() => undefined);
    if (Object.keys(codeTables.value).length) loadCodes().catch(() => undefined);
  });

  return { orgs, codeTables, loadOrgs, loadCodes, orgTree, orgById, communities, reset };
});
