"""Where bookagent keeps files: images by a key made from their content (`MediaStore`)."""
