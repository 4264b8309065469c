// The PKCS#11 (Cryptoki) interface as Debian's p11-kit publishes it. Custos loads a module
// (SoftHSM2 in tests, a vendor HSM in production) with dlopen; nothing is linked here.
#include <p11-kit/pkcs11.h>
