"""Gongkai (公开): the open-government platform of a Chinese local government."""
