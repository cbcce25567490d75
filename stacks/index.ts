// The Pulumi program: `pulumi up` runs this file (package.json "main").
import { loadConfig } from "./config/pulumi";
import { createPlatform } from "./platform";

export = createPlatform(loadConfig());
