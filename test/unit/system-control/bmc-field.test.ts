import assert from "node:assert/strict";
import { bmcFieldOf, bmcLoginFieldOf } from "../../../provider/clients/system-control/ipmi-channel";

describe("BMC hints name the fields a user writes", () => {
  it('an HA unit sps-ha.b is nodes["sps-ha"].bmc.b, its login sps:credentials.bmc["sps-ha"].b or .ipmi', () => {
    assert.equal(bmcFieldOf("sps-ha.b"), 'nodes["sps-ha"].bmc.b');
    assert.equal(bmcLoginFieldOf("sps-ha.b"), 'sps:credentials.bmc["sps-ha"].b or sps:credentials.ipmi');
    assert.doesNotMatch(bmcFieldOf("sps-ha.b"), /\.ipmi/);
  });
  it('the pair itself: nodes["sps-ha"].bmc.<unit>', () => {
    assert.equal(bmcFieldOf("sps-ha"), 'nodes["sps-ha"].bmc.<unit>');
  });
});
