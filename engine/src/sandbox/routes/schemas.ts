import { z } from "zod";

/** Field schemas shared by the routes (AJV-equivalent rules from the spec). */
export const uuid = z.guid();
export const nullableString = z.string().nullable().optional();
export const customVariables = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

/** The writable lead fields of create/bulk-add (spec: additionalProperties false on bulk lead objects). */
export const leadFields = {
  email: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  company_name: nullableString,
  job_title: nullableString,
  phone: nullableString,
  website: nullableString,
  personalization: nullableString,
  lt_interest_status: z.number().nullable().optional(),
  pl_value_lead: nullableString,
  assigned_to: uuid.nullable().optional(),
  custom_variables: customVariables.nullable().optional(),
};
