/** Traffic redirection on a Linux router: the public surface of `provider/router`. */
export * from "./redirection-rules";
export * from "./redirection-spec";
export * from "./traffic-redirection";
