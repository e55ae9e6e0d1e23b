// Consumer code type-checked against the package's .d.cts (CommonJS require).
import lib = require('streamr-e2ee');

const key: lib.GroupKey = lib.GroupKey.generate();
const ct: Uint8Array = lib.encryptWithAES(new Uint8Array([1, 2]), key.data);
const pt: Uint8Array = lib.decryptWithAES(ct, key.data);
const addr: string = lib.EvmSigner.generate().address;
const pub: lib.Publisher = new lib.Publisher({ streamId: 's' }, lib.EvmSigner.generate());
const outs: lib.Output[] = pub.pollOutputs();
void pt; void addr; void outs;
