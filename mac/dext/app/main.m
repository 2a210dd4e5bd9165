// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Pcipass.app's executable: activates or deactivates the dext it carries
 * (Contents/Library/SystemExtensions/<app id>.driver.dext) through
 * OSSystemExtensionRequest; there is no C API for that.  Run it as
 *   /Applications/Pcipass.app/Contents/MacOS/Pcipass install | uninstall
 * (from /Applications unless `systemextensionsctl developer on`).
 *
 * NEVER BUILT OR RUN.  The Objective-C spelling of the SystemExtensions
 * API below is written from Apple's documentation of the Swift names
 * (activationRequest(forExtensionWithIdentifier:queue:), ...); the
 * project's notes list it as unconfirmed.
 */
#import <Foundation/Foundation.h>
#import <SystemExtensions/SystemExtensions.h>

@interface PcipassDelegate : NSObject <OSSystemExtensionRequestDelegate>
@end

@implementation PcipassDelegate

- (OSSystemExtensionReplacementAction)request:(OSSystemExtensionRequest *)request
		  actionForReplacingExtension:(OSSystemExtensionProperties *)existing
				withExtension:(OSSystemExtensionProperties *)ext
{
	fprintf(stderr, "pcipass: replacing driver %s with %s\n",
		existing.bundleShortVersion.UTF8String,
		ext.bundleShortVersion.UTF8String);
	return OSSystemExtensionReplacementActionReplace;
}

- (void)requestNeedsUserApproval:(OSSystemExtensionRequest *)request
{
	fprintf(stderr, "pcipass: approve the driver in System Settings > "
		"General > Login Items & Extensions > Driver Extensions; "
		"waiting (Ctrl-C to stop waiting, the request stays)\n");
}

- (void)request:(OSSystemExtensionRequest *)request
	didFinishWithResult:(OSSystemExtensionRequestResult)result
{
	if (result == OSSystemExtensionRequestWillCompleteAfterReboot)
		fprintf(stderr, "pcipass: done after a reboot\n");
	else
		fprintf(stderr, "pcipass: done\n");
	exit(0);
}

- (void)request:(OSSystemExtensionRequest *)request
	didFailWithError:(NSError *)error
{
	/* Apple's sample: code 4 = identifier mismatch, 8 = signing. */
	fprintf(stderr, "pcipass: failed: %s (%s %ld)\n",
		error.localizedDescription.UTF8String,
		error.domain.UTF8String, (long)error.code);
	exit(1);
}

@end

int main(int argc, const char *argv[])
{
	@autoreleasepool {
		NSString *appID = [NSBundle mainBundle].bundleIdentifier;
		NSString *dextID;
		OSSystemExtensionRequest *req;
		PcipassDelegate *delegate = [PcipassDelegate new];
		dispatch_queue_t q = dispatch_get_main_queue();

		if (argc != 2 || (strcmp(argv[1], "install") &&
				  strcmp(argv[1], "uninstall"))) {
			fprintf(stderr, "usage: %s install|uninstall\n", argv[0]);
			return 2;
		}
		if (!appID) {
			fprintf(stderr, "pcipass: run the executable inside "
				"Pcipass.app (no bundle identifier)\n");
			return 2;
		}
		/* The activation ID must equal the dext's CFBundleIdentifier. */
		dextID = [appID stringByAppendingString:@".driver"];
		if (!strcmp(argv[1], "install"))
			req = [OSSystemExtensionRequest
				activationRequestForExtension:dextID queue:q];
		else
			req = [OSSystemExtensionRequest
				deactivationRequestForExtension:dextID queue:q];
		req.delegate = delegate;
		[[OSSystemExtensionManager sharedManager] submitRequest:req];
		fprintf(stderr, "pcipass: %s request for %s submitted\n",
			argv[1], dextID.UTF8String);
		dispatch_main();
	}
	return 0;
}
