// The Pulumi program: `pulumi up` runs this file (package.json "main").
import { loadConfig } from "./config/pulumi";
import { createPlatform } from "./platform";

const { config, secretKeys } = loadConfig();
export = createPlatform(config, { secretKeys });
