/* STAND-IN for the header iig generates from PcipassUserClient.iig. */
#include "standin.h"
struct PcipassUserClient_IVars;
class PcipassUserClient : public IOUserClient {
	typedef IOUserClient super;
public:
	PcipassUserClient_IVars *ivars;
	bool init() override;
	void free() override;
	kern_return_t Start_Impl(IOService *provider);
	kern_return_t Stop_Impl(IOService *provider);
	kern_return_t ExternalMethod(uint64_t selector,
		IOUserClientMethodArguments *arguments,
		const IOUserClientMethodDispatch *dispatch, OSObject *target,
		void *reference) override;
	kern_return_t CopyClientMemoryForType_Impl(uint64_t type,
		uint64_t *options, IOMemoryDescriptor **memory);
	void DropBARDescriptors();
};
