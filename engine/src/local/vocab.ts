/**
 * Word lists and weights for synthetic merchants and contacts. Shaped after a real team's leads:
 * Shopify-style stores (mostly US, some CA/GB/AU), founders and small teams, role inboxes and
 * free-mail addresses. The free-mail, disposable and role lists overlap `includes/rules.js` on
 * purpose, so the seeded data exercises those rules.
 */

export const firstNames = (
  "james mary john patricia robert jennifer michael linda william elizabeth david barbara richard susan " +
  "joseph jessica thomas sarah charles karen chris lisa daniel nancy matthew betty anthony sandra mark " +
  "ashley donald emily steven kimberly paul donna andrew michelle joshua carol kevin amanda brian melissa " +
  "george deborah tim stephanie ryan rebecca jason laura jeff sharon jacob cynthia gary kathleen eric amy " +
  "nick angela jonathan anna justin brenda scott pamela brandon emma ben nicole sam helen greg samantha " +
  "alex katherine frank christine ray debra jack rachel dennis olivia jerry catherine tyler maria aaron " +
  "heather jose diana adam julie nathan joyce henry victoria zach kelly peter christina kyle lauren noah " +
  "megan ethan grace liam chloe mason zoe lucas mia oliver ava priya raj wei mei yuki hiro ana sofia luca"
).split(" ");

export const lastNames = (
  "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez gonzalez " +
  "wilson anderson thomas taylor moore jackson martin lee perez thompson white harris sanchez clark " +
  "ramirez lewis robinson walker young allen king wright scott torres nguyen hill flores green adams " +
  "nelson baker hall rivera campbell mitchell carter roberts gomez phillips evans turner diaz parker " +
  "cruz edwards collins reyes stewart morris morales murphy cook rogers gutierrez ortiz morgan cooper " +
  "peterson bailey reed kelly howard ramos kim cox ward richardson watson brooks chavez wood james " +
  "bennett gray mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez " +
  "obrien mackenzie singh chen wang tanaka sato muller schmidt rossi dubois novak kowalski larsen"
).split(" ");

/** First half of a store name. */
export const storeAdjectives = (
  "golden little urban wild happy cozy bold bright simple pure modern rustic lucky honest royal " +
  "sunny coastal northern southern velvet silver copper crimson olive indigo emerald amber misty " +
  "gentle clever brave noble humble vintage classic fresh organic natural daily prime true blue " +
  "green red black white tiny grand sweet salty spicy smoky mellow lunar solar stellar cosmic " +
  "alpine prairie desert island harbor river maple cedar oak pine willow birch juniper sage " +
  "lavender rose peony ivy fern moss stone iron steel glass paper cotton linen wool denim"
).split(" ");

/** Second half of a store name. */
export const storeNouns = (
  "goods supply co studio market shop store outfitters apparel threads boutique kitchen pantry " +
  "bakery coffee roasters tea candle soap skincare beauty botanicals cosmetics jewelry gems " +
  "leather bags shoes socks hats denim tees prints posters frames decor home living garden plants " +
  "pets paws tails toys games books stationery paper pens art crafts yarn fabric quilts bikes " +
  "outdoors camping fishing surf skate golf fitness yoga wellness vitamins nutrition snacks sauce " +
  "spice farms ranch creamery brewing spirits wine labs works collective trading company house"
).split(" ");

/** Words appended to some store slugs (Shopify handles often carry one). */
export const slugSuffixes = ["shop", "store", "co", "hq", "online", "official", "usa", "studio"];

export const companyTlds = [
  [".com", 72],
  [".co", 8],
  [".shop", 5],
  [".store", 4],
  [".net", 3],
  [".io", 2],
  [".us", 2],
  [".boutique", 1],
  [".org", 1],
] as const;

/** Country-specific company TLDs: a CA store is often on .ca, a GB one on .co.uk. */
export const countryTlds: Record<string, string> = { CA: ".ca", GB: ".co.uk", AU: ".com.au", NZ: ".co.nz" };

export const freeMailDomains = [
  ["gmail.com", 55],
  ["yahoo.com", 14],
  ["outlook.com", 8],
  ["hotmail.com", 8],
  ["icloud.com", 6],
  ["aol.com", 3],
  ["live.com", 2],
  ["protonmail.com", 2],
  ["msn.com", 1],
  ["comcast.net", 1],
] as const;

export const disposableDomains = [
  "mailinator.com",
  "guerrillamail.com",
  "10minutemail.com",
  "yopmail.com",
  "tempmail.com",
  "trashmail.com",
  "sharklasers.com",
  "getnada.com",
];

export const rolePrefixes = [
  ["info", 30],
  ["hello", 18],
  ["contact", 12],
  ["sales", 10],
  ["support", 10],
  ["admin", 5],
  ["orders", 4],
  ["team", 4],
  ["marketing", 3],
  ["office", 2],
  ["help", 2],
  ["shop", 2],
] as const;

export const countries = [
  ["US", 78],
  ["CA", 7],
  ["GB", 6],
  ["AU", 4],
  ["NZ", 1],
  ["IE", 1],
  ["DE", 1],
  ["NL", 0.5],
  ["FR", 0.5],
  ["", 1], // unknown
] as const;

/** US states weighted roughly by population (store density follows it). */
export const usStates = [
  ["CA", 12],
  ["TX", 9],
  ["FL", 7],
  ["NY", 6],
  ["PA", 4],
  ["IL", 4],
  ["OH", 3.5],
  ["GA", 3.2],
  ["NC", 3.2],
  ["MI", 3],
  ["NJ", 2.8],
  ["VA", 2.6],
  ["WA", 2.4],
  ["AZ", 2.2],
  ["MA", 2.1],
  ["TN", 2.1],
  ["IN", 2],
  ["MO", 1.8],
  ["MD", 1.8],
  ["WI", 1.8],
  ["CO", 1.8],
  ["MN", 1.7],
  ["SC", 1.6],
  ["AL", 1.5],
  ["LA", 1.4],
  ["KY", 1.4],
  ["OR", 1.3],
  ["OK", 1.2],
  ["CT", 1.1],
  ["UT", 1],
  ["IA", 1],
  ["NV", 1],
  ["AR", 0.9],
  ["MS", 0.9],
  ["KS", 0.9],
  ["NM", 0.6],
  ["NE", 0.6],
  ["ID", 0.6],
  ["WV", 0.5],
  ["HI", 0.4],
  ["NH", 0.4],
  ["ME", 0.4],
  ["MT", 0.3],
  ["RI", 0.3],
  ["DE", 0.3],
  ["SD", 0.3],
  ["ND", 0.2],
  ["AK", 0.2],
  ["DC", 0.2],
  ["VT", 0.2],
  ["WY", 0.2],
] as const;

/** Regions for the other common countries (ISO 3166-2 subdivision codes or names). */
export const regions: Record<string, readonly string[]> = {
  CA: ["ON", "ON", "ON", "QC", "QC", "BC", "BC", "AB", "MB", "SK", "NS", "NB"],
  AU: ["NSW", "NSW", "VIC", "VIC", "QLD", "QLD", "WA", "SA", "TAS", "ACT"],
  GB: ["England", "England", "England", "England", "Scotland", "Wales", "Northern Ireland"],
};

export const leadSources = [
  ["storeleads", 45],
  ["builtwith", 20],
  ["apollo", 15],
  ["csv_import", 10],
  ["partner_referral", 5],
  ["webinar", 5],
] as const;

export const dncEmailReasons = [
  ["unsubscribed", 40, "instantly_unsubscribe"],
  ["requested_removal", 20, "manual"],
  ["existing_customer", 20, "crm"],
  ["bounced", 10, "instantly_bounce"],
  ["legal_request", 5, "legal"],
  ["competitor", 5, "manual"],
] as const;

export const dncDomainReasons = [
  ["existing_customer", 45, "crm"],
  ["competitor", 25, "manual"],
  ["partner", 20, "manual"],
  ["legal_request", 10, "legal"],
] as const;
