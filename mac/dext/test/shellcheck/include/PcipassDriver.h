/* STAND-IN for the header iig generates from PcipassDriver.iig. */
#include "standin.h"
struct pp_dext_dev;
struct PcipassDriver_IVars;
class PcipassDriver : public IOService {
	typedef IOService super;
public:
	PcipassDriver_IVars *ivars;
	bool init() override;
	void free() override;
	kern_return_t Start_Impl(IOService *provider);
	kern_return_t Stop_Impl(IOService *provider);
	kern_return_t NewUserClient_Impl(uint32_t type, IOUserClient **userClient);
	void InterruptOccurred_Impl(OSAction *action, uint64_t count, uint64_t time);
	kern_return_t CreateActionInterruptOccurred(size_t referenceSize, OSAction **action);
	struct pp_dext_dev *CoreDevice();
	IOPCIDevice *PCIDevice();
	kern_return_t CopyBARMemory(uint8_t memoryIndex, IOMemoryDescriptor **memory);
	kern_return_t SetupInterrupts(uint32_t type, uint32_t nvec, uint32_t *granted);
	void EnableInterrupts(bool on);
};
