import { defineCommand } from "citty";
export default defineCommand({ meta: { name: "runs" }, run() {} });
