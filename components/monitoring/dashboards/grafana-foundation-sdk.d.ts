// The SDK publishes its entry points only through package.json "exports" (./dashboard → dist/dashboard),
// which moduleResolution node10 (tsconfig.json) ignores, so `tsc` cannot find their types while Node
// resolves them fine at run time. These declarations point each entry point used here at its types.
declare module "@grafana/grafana-foundation-sdk/cog" {
  export * from "@grafana/grafana-foundation-sdk/dist/cog";
}
declare module "@grafana/grafana-foundation-sdk/common" {
  export * from "@grafana/grafana-foundation-sdk/dist/common";
}
declare module "@grafana/grafana-foundation-sdk/dashboard" {
  export * from "@grafana/grafana-foundation-sdk/dist/dashboard";
}
declare module "@grafana/grafana-foundation-sdk/prometheus" {
  export * from "@grafana/grafana-foundation-sdk/dist/prometheus";
}
declare module "@grafana/grafana-foundation-sdk/timeseries" {
  export * from "@grafana/grafana-foundation-sdk/dist/timeseries";
}
declare module "@grafana/grafana-foundation-sdk/stat" {
  export * from "@grafana/grafana-foundation-sdk/dist/stat";
}
declare module "@grafana/grafana-foundation-sdk/table" {
  export * from "@grafana/grafana-foundation-sdk/dist/table";
}
