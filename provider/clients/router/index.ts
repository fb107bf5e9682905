/** Traffic redirection on a Linux router: the public surface of `provider/clients/router`. */
export * from "./redirection-rules";
export * from "../../../core/redirection-spec";
export * from "./traffic-redirection";
